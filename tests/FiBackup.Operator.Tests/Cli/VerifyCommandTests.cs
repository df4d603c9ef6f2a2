using FiBackup.Testing.Repositories;

namespace FiBackup.Operator.Tests.Cli;

public sealed class VerifyCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();

    public void Dispose() => _repository.Dispose();

    private async Task<SyntheticDomain> DomainAsync(string host = "hv1")
    {
        var domain = _repository.AddDomain(host, "web-1");
        for (var i = 0; i < 3; i++) await domain.BackupAsync(Day1.AddDays(i));
        return domain;
    }

    [Fact]
    public async Task An_intact_repository_prints_OK_per_point_for_every_host_and_exits_0()
    {
        await DomainAsync("hv1");
        await DomainAsync("hv2");

        var run = await Fibackup.RunAsync("verify", "--repository", _repository.Root);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal("hv1/web-1 20261123T020000Z OK (2 files)", lines[0]);
        Assert.Equal("hv2/web-1 20261125T020000Z OK (6 files)", lines[5]);
        Assert.Equal("verified 6 restore points, 12 files in 2 domains: all intact", lines[6]);
    }

    [Fact]
    public async Task A_corrupted_incremental_is_reported_by_path_and_the_exit_is_non_zero()
    {
        var domain = await DomainAsync();
        var file = domain.Points[1].Disks[1].Files[1];
        var path = domain.Layout.Resolve(file.Path);
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            var b = stream.ReadByte();
            stream.Position = stream.Length / 2;
            stream.WriteByte((byte)~b);
        }

        var run = await Fibackup.RunAsync("verify", "--repository", _repository.Root, "--domain", "web-1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("hv1/web-1 20261123T020000Z OK", run.Output);
        Assert.Contains("hv1/web-1 20261124T020000Z BROKEN", run.Output);
        Assert.Contains("hv1/web-1 20261125T020000Z BROKEN", run.Output);
        Assert.Contains($"  {file.Path}: SHA-256 differs: manifest {file.Sha256}", run.Output);
        var error = Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.StartsWith($"fibackup: error: 2 restore points broken; first: hv1/web-1 20261124T020000Z: {path}: SHA-256 differs", error);
    }

    [Fact]
    public async Task Point_limits_the_check_to_one_restore_point()
    {
        var domain = await DomainAsync();
        File.Delete(domain.Layout.Resolve(domain.Points[2].Disks[0].Files[2].Path)); // only the newest point needs it

        var older = await Fibackup.RunAsync("verify", "--repository", _repository.Root, "--point", "20261124T020000Z");
        var newest = await Fibackup.RunAsync("verify", "--repository", _repository.Root, "--point", "20261125T020000Z");

        Assert.Equal((0, "hv1/web-1 20261124T020000Z OK (4 files)"), (older.ExitCode, older.Output.Split('\n')[0]));
        Assert.Equal(1, newest.ExitCode);
        Assert.Contains("002-20261125T020000Z.qcow2: missing", newest.Output);
    }

    [Fact]
    public async Task A_point_that_does_not_exist_is_an_input_error()
    {
        await DomainAsync();

        var run = await Fibackup.RunAsync("verify", "--repository", _repository.Root, "--point", "20200101T000000Z");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("restore point 20200101T000000Z", run.Error);
    }
}
