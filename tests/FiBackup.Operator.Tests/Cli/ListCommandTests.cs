using System.Globalization;
using System.Text.Json;
using FiBackup.Testing.Repositories;

namespace FiBackup.Operator.Tests.Cli;

public sealed class ListCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();

    public void Dispose() => _repository.Dispose();

    private async Task<(SyntheticDomain Web, SyntheticDomain Other)> TwoHostsAsync()
    {
        var web = _repository.AddDomain("hv1", "web-1");
        await web.BackupAsync(Day1);
        await web.BackupAsync(Day1.AddDays(1));
        var other = _repository.AddDomain("hv2", "web-1", "sda");
        await other.BackupAsync(Day1.AddHours(3));
        return (web, other);
    }

    [Fact]
    public async Task The_table_lists_every_point_of_every_domain_in_aligned_columns()
    {
        await TwoHostsAsync();

        var run = await Fibackup.RunAsync("list", "--repository", _repository.Root);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^HOST +DOMAIN +POINT +TYPE +CHAIN +DISKS +SIZE$", lines[0]);
        Assert.Matches(@"^hv1 +web-1 +20261123T020000Z +full +20261123T020000Z +vda,vdb +\d+(\.\d)? MiB$", lines[1]);
        Assert.Matches(@"^hv1 +web-1 +20261124T020000Z +incremental +20261123T020000Z +vda,vdb +\d+(\.\d)? (KiB|MiB)$", lines[2]);
        Assert.Matches(@"^hv2 +web-1 +20261123T050000Z +full +20261123T050000Z +sda +", lines[3]);
        var pointColumn = lines[0].IndexOf("POINT", StringComparison.Ordinal);
        Assert.All(lines.Skip(1), line => Assert.Equal('2', line[pointColumn]));
    }

    [Fact]
    public async Task The_json_output_carries_the_fields_other_tools_parse()
    {
        var (web, _) = await TwoHostsAsync();

        var run = await Fibackup.RunAsync("list", "--repository", _repository.Root, "--domain", "web-1", "--host", "hv1", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var points = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, points.Count);
        var second = points[1];
        Assert.Equal("20261124T020000Z", second.GetProperty("id").GetString());
        Assert.Equal("hv1", second.GetProperty("host").GetString());
        Assert.Equal("web-1", second.GetProperty("domain").GetString());
        Assert.Equal(Day1.AddDays(1), DateTimeOffset.Parse(second.GetProperty("time").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal("incremental", second.GetProperty("type").GetString());
        Assert.Equal("20261123T020000Z", second.GetProperty("chain").GetString());
        var disks = second.GetProperty("disks").EnumerateArray().ToList();
        Assert.Equal(["vda", "vdb"], disks.Select(d => d.GetProperty("target").GetString()));
        var files = disks[0].GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal(["chains/20261123T020000Z/vda/000-full.qcow2", "chains/20261123T020000Z/vda/001-20261124T020000Z.qcow2"], files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(web.Layout.Directory, f))));
        // bytes: the data the point's own file stores; fileLength: that file's length, holes included.
        var own = Path.Combine(web.Layout.Directory, files[1]);
        Assert.Equal(SparseFiles.DataBytes(own), disks[0].GetProperty("bytes").GetInt64());
        Assert.Equal(new FileInfo(own).Length, disks[0].GetProperty("fileLength").GetInt64());
        Assert.Equal(disks.Sum(d => d.GetProperty("bytes").GetInt64()), second.GetProperty("bytes").GetInt64());
        Assert.Equal(disks.Sum(d => d.GetProperty("fileLength").GetInt64()), second.GetProperty("fileLength").GetInt64());
    }

    [Fact]
    public async Task A_manifest_written_before_fileLength_existed_still_lists_with_the_length_of_its_own_file()
    {
        var web = _repository.AddDomain("hv1", "web-1");
        await web.BackupAsync(Day1);
        var point = await web.BackupAsync(Day1.AddDays(1));
        var path = Path.Combine(web.Layout.Directory, "points", point.Id + ".json");
        var old = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var disk in old["disks"]!.AsArray()) disk!.AsObject().Remove("fileLength");
        File.WriteAllText(path, old.ToJsonString());

        var run = await Fibackup.RunAsync("list", "--repository", _repository.Root, "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var listed = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().Single(p => p.GetProperty("id").GetString() == point.Id);
        foreach (var disk in listed.GetProperty("disks").EnumerateArray())
        {
            var recorded = point.Disks.Single(d => d.Target == disk.GetProperty("target").GetString());
            Assert.Equal(recorded.Bytes, disk.GetProperty("bytes").GetInt64());
            Assert.Equal(recorded.Files[^1].Size, disk.GetProperty("fileLength").GetInt64());
        }
        var verify = await Fibackup.RunAsync("verify", "--repository", _repository.Root, "--domain", "web-1");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task An_empty_repository_says_so_in_a_table_and_is_an_empty_json_array()
    {
        var table = await Fibackup.RunAsync("list", "--repository", _repository.Root);
        var json = await Fibackup.RunAsync("list", "--repository", _repository.Root, "-o", "json");

        Assert.Equal((0, $"no restore points in {_repository.Root}\n"), (table.ExitCode, table.Output));
        Assert.Equal((0, "[]"), (json.ExitCode, json.Output.Trim()));
    }

    [Fact]
    public async Task A_missing_repository_directory_is_an_error_naming_it()
    {
        var missing = Path.Combine(_repository.WorkDirectory, "no-such-repo");

        var run = await Fibackup.RunAsync("list", "--repository", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith($"fibackup: error: --repository: {missing} does not exist", run.Error);
    }

    [Fact]
    public async Task An_unknown_domain_is_an_error_listing_the_domains_there_are()
    {
        await TwoHostsAsync();

        var run = await Fibackup.RunAsync("list", "--repository", _repository.Root, "--domain", "db-9");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no domain \"db-9\"", run.Error);
        Assert.Contains("hv1/web-1, hv2/web-1", run.Error);
    }
}
