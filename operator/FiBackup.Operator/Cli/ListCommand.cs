using FiBackup.Engine;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FiBackup.Engine.Repository;

namespace FiBackup.Operator.Cli;

/// <summary>
/// `fibackup list`: the restore points in a repository, as a table or as JSON. The JSON is a
/// contract other tools parse: an array of points with id, host, domain, time (RFC 3339), type,
/// chain, bytes, fileLength and disks[] {target, files[] (relative to the domain directory), bytes,
/// fileLength}; bytes are the data bytes the manifests record, fileLength the length of each disk's
/// own file, holes included.
/// </summary>
public static class ListCommand
{
    public static Command Create()
    {
        var repositoryOptions = new RepositoryOptions(domainRequired: false, "Only this domain's restore points (default: every domain)");
        var output = new Option<string>("--output", "-o")
        {
            Description = "table (default) or json",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("list", "List the restore points in a repository");
        repositoryOptions.AddTo(command);
        command.Options.Add(output);
        command.SetAsyncAction((parseResult, context) =>
        {
            var repository = repositoryOptions.OpenRepository(parseResult);
            var points = repositoryOptions.SelectDomains(parseResult, repository)
                .SelectMany(domain => new ManifestStore(domain).List().Select(point => (Domain: domain, Point: point)))
                .ToList();
            if (parseResult.GetValue(output) == "json")
                WriteJson(context.Output, points.Select(p => ListedPoint.From(p.Domain, p.Point)));
            else if (points.Count == 0)
                context.Output.WriteLine($"no restore points in {repository.Root}");
            else
                TableWriter.Write(context.Output, ["HOST", "DOMAIN", "POINT", "TYPE", "CHAIN", "DISKS", "SIZE"],
                    points.Select(p => (IReadOnlyList<string>)
                    [
                        p.Domain.Host, p.Domain.Domain, p.Point.Id, TypeName(p.Point.Type), p.Point.Chain,
                        string.Join(",", p.Point.Disks.Select(d => d.Target)), ByteSize.Format(p.Point.Disks.Sum(d => d.Bytes)),
                    ]));
            return Task.FromResult(CommandRunner.Success);
        });
        return command;
    }

    private static void WriteJson(TextWriter output, IEnumerable<ListedPoint> points)
    {
        output.WriteLine(JsonSerializer.Serialize(points.ToList(), new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
        }));
    }

    internal static string TypeName(BackupType type) => type == BackupType.Full ? "full" : "incremental";

    private sealed record ListedPoint(string Id, string Host, string Domain, string Time, string Type, string Chain, long Bytes,
        long FileLength, bool Quiesced, bool Offline, IReadOnlyList<ListedDisk> Disks)
    {
        public static ListedPoint From(DomainLayout layout, RestorePointManifest point) => new(
            point.Id, layout.Host, layout.Domain,
            point.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            TypeName(point.Type), point.Chain, point.Disks.Sum(d => d.Bytes), point.Disks.Sum(d => d.OwnFileLength),
            point.Quiesced, point.Offline,
            point.Disks.Select(d => new ListedDisk(d.Target, d.Files.Select(f => f.Path).ToList(), d.Bytes, d.OwnFileLength)).ToList());
    }

    private sealed record ListedDisk(string Target, IReadOnlyList<string> Files, long Bytes, long FileLength);
}
