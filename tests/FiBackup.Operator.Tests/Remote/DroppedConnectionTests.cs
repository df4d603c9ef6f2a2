using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Remote;

/// <summary>
/// The ssh connection dies in the middle of a (bandwidth-limited) copy: the sshd processes serving
/// it are killed, as a network cut or a rebooting jump host would. The backup must fail with one
/// clear line, leave the domain running on a valid chain with its data, record nothing, and the
/// next run must succeed and restore exactly.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class DroppedConnectionTests(LibvirtFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_connection_killed_mid_copy_fails_cleanly_and_the_next_run_succeeds_and_restores_exactly()
    {
        await using var scenario = await RemoteScenario.CreateAsync(fixture, running: true);
        await scenario.WriteAsync("vda", 0, 12 * MiB, 0x5a);
        await scenario.WriteAsync("vdb", 2 * MiB, MiB, 0x5b);

        var backup = scenario.StartBackup("--bandwidth", "2MiB");
        var partial = await WaitForPartialAsync(scenario.Repository, MiB, backup);
        var killed = scenario.Sshd.KillConnections();
        var run = await backup;

        Assert.True(killed > 0, "no sshd process served the connection");
        var error = CliError.AssertFailed(run, CliError.Failure);
        output.WriteLine($"the cut backup said: {error}");
        Assert.Contains("libvirt", error);
        Assert.DoesNotContain(scenario.Sshd.ClientKeyPath, run.Output + run.Error);
        Assert.DoesNotContain("keyfile=", run.Output + run.Error);
        Assert.DoesNotContain("Unhandled", run.Error);
        // The VM keeps running on a chain that opens, with everything the guest wrote.
        Assert.True(scenario.Domain.Domain.IsActive);
        Assert.NotEmpty(await scenario.ChainAsync("vda"));
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, 12 * MiB, 0x5a);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 2 * MiB, MiB, 0x5b);
        // Nothing recorded and nothing half-written kept.
        Assert.Empty(await scenario.ListAsync());
        Assert.False(File.Exists(partial), $"{partial} was left behind");
        Assert.Empty(Directory.EnumerateFiles(scenario.Repository, "*.partial", SearchOption.AllDirectories));

        // The next run finishes the interrupted backup (its snapshot holds what the guest had at the
        // cut), then backs up what was written since as an incremental.
        scenario.SaveExpected("at-cut");
        await scenario.WriteAsync("vda", 3 * MiB, MiB, 0x5c);
        var next = await scenario.BackupAsync();
        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        var recovered = points[0].GetProperty("id").GetString()!;
        Assert.Contains($"finished backup {recovered}, which an interrupted run had left", next.Error);
        scenario.ExpectPointAs(recovered, "at-cut");
        foreach (var point in scenario.PointIds) await scenario.AssertRestoresExactlyAsync(point);
        await scenario.Domain.AssertGuestPatternAsync("vda", 3 * MiB, MiB, 0x5c);
    }

    /// <summary>The repository's .partial file once it holds <paramref name="bytes"/> (the copy is under way).</summary>
    private static async Task<string> WaitForPartialAsync(string repository, long bytes, Task backup)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (backup.IsCompleted) throw new Xunit.Sdk.XunitException($"the backup ended before its copy could be cut: {await (Task<FiBackup.Operator.Tests.Cli.CliRun>)backup}");
            var partial = Directory.Exists(repository)
                ? Directory.EnumerateFiles(repository, "*.partial", SearchOption.AllDirectories).FirstOrDefault(p => new FileInfo(p).Length >= bytes)
                : null;
            if (partial is not null) return partial;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no .partial file of {bytes} bytes appeared in {repository}");
    }
}
