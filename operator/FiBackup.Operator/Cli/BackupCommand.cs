using FiBackup.Engine;
using System.CommandLine;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup backup`: one forward-incremental backup of one domain into a repository.</summary>
public static class BackupCommand
{
    public static Command Create()
    {
        var connect = CliOptions.Connect();
        var domain = CliOptions.Domain();
        var repository = CliOptions.Repository();
        var mode = CliOptions.Choice("--mode", "Full starts a new chain; incremental continues the last one; auto decides", "auto", "auto", "full", "incremental");
        var consolidate = CliOptions.Choice("--consolidate", "How to keep the live chain short after the copy", "commit", "none", "commit", "pull");
        var quiesce = CliOptions.Choice("--quiesce", "Freeze guest filesystems through the guest agent", "disabled", "disabled", "preferred", "required");
        var bandwidth = new Option<string>("--bandwidth") { Description = "Limit for the copy and block jobs, bytes per second (e.g. 50MiB)" };
        var allowBaseWrite = new Option<bool>("--allow-base-write") { Description = "Allow committing into the original base image (never done otherwise)" };

        var command = new Command("backup", "Back up a domain: snapshot, copy what changed since the last run, consolidate")
        {
            connect, domain, repository, mode, consolidate, quiesce, bandwidth, allowBaseWrite,
        };
        command.SetAsyncAction(async (parse, context) =>
        {
            var request = new BackupRequest
            {
                Domain = parse.GetValue(domain)!,
                RepositoryRoot = parse.GetValue(repository)!,
                Mode = CliOptions.ParseEnum<BackupMode>("--mode", parse.GetValue(mode)!),
                Consolidation = CliOptions.ParseEnum<ConsolidationMethod>("--consolidate", parse.GetValue(consolidate)!),
                Quiesce = CliOptions.ParseEnum<QuiesceMode>("--quiesce", parse.GetValue(quiesce)!),
                BandwidthBytesPerSecond = parse.GetValue(bandwidth) is { } limit ? CliOptions.ParseSize("--bandwidth", limit) : null,
                AllowBaseWrite = parse.GetValue(allowBaseWrite),
            };
            using var source = LibvirtVmSource.Connect(parse.GetValue(connect)!);
            BackupResult result;
            using (var progress = TerminalProgress.ForConsole(context.Error))
                result = await new BackupRunner(TimeProvider.System).RunAsync(source, request, progress, context.CancellationToken);

            foreach (var warning in result.Warnings) context.Error.WriteLine($"fibackup: warning: {warning}");
            var type = result.Type.ToString().ToLowerInvariant();
            context.Output.WriteLine($"{request.Domain}: {type} restore point {result.PointId} (chain {result.Chain}){(result.Quiesced ? ", quiesced" : "")}, snapshot {result.SnapshotDuration.TotalMilliseconds:0} ms");
            foreach (var disk in result.Disks)
                context.Output.WriteLine($"  {disk.Target}  {disk.Source} -> {disk.Files[^1]}  {ByteSize.Format(disk.Bytes)} (copied {ByteSize.Format(disk.BytesCopied)})");
            return CommandRunner.Success;
        });
        return command;
    }
}
