using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A controller retries: a backup request carrying an idempotency key (the VmBackup's UID) yields
/// at most one restore point, whether the retry comes after a success or after a crash.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class IdempotencyTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    private static string[] Backup(BackupScenario scenario, string key) =>
        ["backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository, "--idempotency-key", key];

    [Fact]
    public async Task The_same_key_twice_gives_one_restore_point_and_no_second_snapshot()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x31);
        await scenario.BackupAsync("--idempotency-key", "uid-1");
        var overlays = Directory.GetFiles(scenario.Domain.Directory, "*.fib-*.qcow2").Order().ToList();

        var again = await Fibackup.RunAsync(Backup(scenario, "uid-1"));

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"restore point {scenario.PointIds[0]}", again.Output);
        Assert.Contains("already taken for this idempotency key", again.Output);
        Assert.Single(await scenario.ListAsync());
        Assert.Equal(overlays, Directory.GetFiles(scenario.Domain.Directory, "*.fib-*.qcow2").Order().ToList());
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Theory]
    [InlineData("after-copy")]
    [InlineData("after-record")]
    public async Task A_retry_after_a_crash_past_the_copy_finishes_the_run_and_gives_exactly_one_point(string step)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x41);
        await scenario.WriteAsync("vdb", 3 * MiB, MiB, 0x42);

        var crashed = await Fibackup.RunProcessAsync(new Dictionary<string, string> { ["FIBACKUP_CRASH_AT"] = step }, Backup(scenario, "uid-2"));
        Assert.True(crashed.ExitCode != 0, $"the backup was not killed at {step}: {crashed}");

        var retry = await Fibackup.RunAsync(Backup(scenario, "uid-2"));

        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.Contains("finished from an interrupted run of this idempotency key", retry.Output);
        var point = Assert.Single(await scenario.ListAsync()).GetProperty("id").GetString()!;
        Assert.Contains($"restore point {point}", retry.Output);
        foreach (var target in new[] { "vda", "vdb" }) scenario.Expected(target).SaveAs(point);
        scenario.PointIds.Add(point);
        await scenario.AssertEveryPointRestoresExactlyAsync();

        // A third call with the key is a plain "already done".
        var third = await Fibackup.RunAsync(Backup(scenario, "uid-2"));
        Assert.Contains("already taken for this idempotency key", third.Output);
        Assert.Single(await scenario.ListAsync());
    }

    [Fact]
    public async Task A_retry_after_a_crash_before_the_snapshot_undoes_it_says_so_and_takes_the_point()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x51);

        var crashed = await Fibackup.RunProcessAsync(new Dictionary<string, string> { ["FIBACKUP_CRASH_AT"] = "after-plan" }, Backup(scenario, "uid-3"));
        Assert.True(crashed.ExitCode != 0, crashed.ToString());

        var retry = await scenario.BackupAsync("--idempotency-key", "uid-3");

        Assert.Contains("fibackup: note: an interrupted run of this request", retry.Error);
        Assert.Contains("snapshot ", retry.Output);
        Assert.Single(await scenario.ListAsync());
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task A_second_repository_in_the_same_second_gets_the_next_second_not_a_file_conflict()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x61);
        await scenario.BackupAsync();
        var second = Path.Combine(scenario.WorkDirectory, "second-repository");

        // At once: the live chain's top overlay is named after the first point's second.
        var run = await Fibackup.RunAsync(["backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", second]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var manifest = Assert.Single(Directory.GetFiles(second, "*.json", SearchOption.AllDirectories),
            f => Path.GetFileName(Path.GetDirectoryName(f)) == "points");
        var point = Path.GetFileNameWithoutExtension(manifest);
        Assert.True(string.CompareOrdinal(point, scenario.PointIds[0]) > 0, $"{point} is not after {scenario.PointIds[0]}");
    }
}
