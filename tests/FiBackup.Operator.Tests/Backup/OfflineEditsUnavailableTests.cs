using FiBackup.Engine.Backup;
using FiBackup.Engine.Consolidation;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A shut-off domain on a host whose images cannot be edited offline (as a remote libvirt host):
/// consolidation is deferred, not done, and the chain stays valid; a failed backup leaves the domain
/// on its new overlay and the next one is a full; once the domain runs, block jobs fold the chain.
/// Every point restores exactly what the guest disk held.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class OfflineEditsUnavailableTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_shut_off_domain_is_not_edited_consolidation_waits_for_a_run_and_every_point_restores_exactly()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        var host = new HostWithoutOfflineEdits();
        using var source = new SourceWithImages(LibvirtVmSource.Connect(LibvirtFixture.Uri), host);

        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x51);
        await scenario.WriteAsync("vdb", 4 * MiB, MiB, 0x52);
        Assert.Equal(BackupType.Full, (await scenario.BackupThroughAsync(source)).Type);
        await scenario.WriteAsync("vda", 2 * MiB, MiB, 0x53);
        Assert.Equal(BackupType.Incremental, (await scenario.BackupThroughAsync(source)).Type);
        await scenario.WriteAsync("vdb", 6 * MiB, MiB, 0x54);
        var chainBefore = await scenario.LiveChainAsync("vda");

        // The third backup would commit the second overlay into the first: deferred instead.
        var third = await scenario.BackupThroughAsync(source);
        Assert.Equal(BackupType.Incremental, third.Type);
        Assert.Contains(third.Warnings, w => w.Contains("deferred to the next run in which the domain runs"));
        Assert.Equal(chainBefore.Count + 1, (await scenario.LiveChainAsync("vda")).Count);

        // `fibackup consolidate` defers as well, and writes nothing.
        var chainsBeforeConsolidate = await scenario.LiveChainAsync("vdb");
        var outcomes = await new ConsolidateRunner(new FileDomainLocks()).RunAsync(source, scenario.Domain.Name,
            ConsolidationMethod.Commit, allowBaseWrite: false, 0, CancellationToken.None);
        Assert.All(outcomes, o => Assert.True(o.Deferred, o.Summary));
        Assert.Equal(chainsBeforeConsolidate, await scenario.LiveChainAsync("vdb"));

        // A copy that fails: the domain stays on the new overlay (a valid chain), nothing is recorded.
        await scenario.WriteAsync("vda", 8 * MiB, MiB, 0x55);
        var onFailure = await scenario.LiveChainAsync("vda");
        host.FailCopies = true;
        var failure = await Assert.ThrowsAsync<FibackupException>(() => new BackupRunner(TimeProvider.System, new FileDomainLocks())
            .RunAsync(source, new BackupRequest { Domain = scenario.Domain.Name, RepositoryRoot = scenario.Repository }, null, CancellationToken.None));
        host.FailCopies = false;
        Assert.Contains("stays on", failure.Message);
        var afterFailure = await scenario.LiveChainAsync("vda");
        Assert.Equal(onFailure, afterFailure.Skip(1));
        Assert.True(OverlayName.IsOverlay(afterFailure[0]));
        Assert.Equal(3, (await scenario.ListAsync()).Length);
        Assert.DoesNotContain(Directory.GetFiles(scenario.Repository, "*", SearchOption.AllDirectories),
            f => f.EndsWith(".partial", StringComparison.Ordinal) || f.Contains("/journal/", StringComparison.Ordinal));

        // The next backup cannot continue the chain: a full, which holds the write made before the failure.
        await scenario.WriteAsync("vdb", 10 * MiB, MiB, 0x56);
        var next = await scenario.BackupThroughAsync(source);
        Assert.Equal(BackupType.Full, next.Type);

        // Running now: the next backup folds the chain with block jobs.
        scenario.Domain.Domain.Start();
        await scenario.WriteAsync("vda", 12 * MiB, MiB, 0x57);
        var running = await scenario.BackupThroughAsync(source);
        Assert.Equal(BackupType.Incremental, running.Type);
        Assert.DoesNotContain(running.Warnings, w => w.Contains("deferred"));
        foreach (var disk in scenario.Domain.Disks)
        {
            var chain = await scenario.LiveChainAsync(disk.Target);
            // active → accumulator → base
            Assert.True(chain.Count == 3, $"{disk.Target}: {string.Join(" <- ", chain.Reverse())}; warnings: {string.Join("; ", running.Warnings)}");
        }
        await scenario.Domain.AssertGuestPatternAsync("vda", 8 * MiB, MiB, 0x55);

        await scenario.AssertEveryPointRestoresExactlyAsync();
    }
}
