using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Repositories;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// `fibackup consolidate` after three backups with commit consolidation, when the live chain is
/// active overlay → accumulator (the first overlay) → base: what each method leaves the domain
/// running on, that the guest still reads everything it wrote, and what the next backup does.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class ConsolidateCommandTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    /// <summary>The writes made before each of the three backups: (disk, offset, length, pattern).</summary>
    private static readonly (string Disk, long Offset, long Length, byte Pattern)[] Writes =
    [
        ("vda", 0, 2 * MiB, 0x41), ("vdb", 8 * MiB, MiB, 0x42),
        ("vda", 4 * MiB, MiB, 0x43), ("vdb", 10 * MiB, MiB, 0x44),
        ("vda", 6 * MiB, MiB, 0x45), ("vdb", 12 * MiB, MiB, 0x46),
    ];

    /// <summary>Three backups, two writes before each; returns each disk's live chain after them.</summary>
    private static async Task<Dictionary<string, IReadOnlyList<string>>> ThreeBackupsAsync(BackupScenario scenario)
    {
        for (var round = 0; round < 3; round++)
        {
            foreach (var (disk, offset, length, pattern) in Writes.Skip(2 * round).Take(2))
                await scenario.WriteAsync(disk, offset, length, pattern);
            await scenario.BackupAsync();
        }
        var chains = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var disk in scenario.Domain.Disks)
        {
            var chain = await scenario.LiveChainAsync(disk.Target);
            Assert.Equal(3, chain.Count); // active → accumulator → base
            Assert.Equal(disk.Path, chain[2]);
            chains[disk.Target] = chain;
        }
        return chains;
    }

    private static async Task<CliRun> ConsolidateAsync(BackupScenario scenario, params string[] extra)
    {
        var run = await Fibackup.RunAsync(["consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, .. extra]);
        Assert.True(run.ExitCode == 0, $"consolidate failed: {run}");
        return run;
    }

    private static async Task AssertGuestReadsEveryWriteAsync(BackupScenario scenario)
    {
        foreach (var (disk, offset, length, pattern) in Writes)
            await scenario.Domain.AssertGuestPatternAsync(disk, offset, length, pattern);
    }

    /// <summary>Each disk now runs on <paramref name="after"/>(its old chain); every image that left the chain was deleted.</summary>
    private static async Task AssertLiveChainsAsync(BackupScenario scenario, Dictionary<string, IReadOnlyList<string>> chainsBefore,
        Func<IReadOnlyList<string>, IReadOnlyList<string>> after)
    {
        foreach (var (target, before) in chainsBefore)
        {
            var expected = after(before);
            Assert.Equal(expected, await scenario.LiveChainAsync(target));
            foreach (var folded in before.Except(expected))
                Assert.False(File.Exists(folded), $"{target}: {folded} left the live chain but was not deleted");
        }
    }

    private static async Task<string> LastPointTypeAsync(BackupScenario scenario) =>
        (await scenario.ListAsync())[^1].GetProperty("type").GetString()!;

    [Fact]
    public async Task Commit_folds_the_active_overlay_into_the_accumulator_and_the_next_backup_is_a_full()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var chains = await ThreeBackupsAsync(scenario);
        var baseDigests = chains.Values.Select(chain => SyntheticDomain.Sha256Of(chain[2])).ToList();

        await ConsolidateAsync(scenario, "--method", "commit");

        await AssertLiveChainsAsync(scenario, chains, chain => chain.Skip(1).ToList());
        await AssertGuestReadsEveryWriteAsync(scenario);
        Assert.Equal(baseDigests, chains.Values.Select(chain => SyntheticDomain.Sha256Of(chain[2])));

        // The domain left the overlay the last point recorded, so the chain cannot continue.
        await scenario.WriteAsync("vda", 9 * MiB, MiB, 0x47);
        await scenario.BackupAsync();
        Assert.Equal("full", await LastPointTypeAsync(scenario));
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[^1]);
    }

    [Fact]
    public async Task Commit_with_allow_base_write_puts_the_domain_back_on_its_base_and_removes_every_overlay()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var chains = await ThreeBackupsAsync(scenario);

        await ConsolidateAsync(scenario, "--method", "commit", "--allow-base-write");

        await AssertLiveChainsAsync(scenario, chains, chain => [chain[2]]);
        Assert.Empty(Directory.GetFiles(scenario.Domain.Directory, "*.fib-*.qcow2"));
        await AssertGuestReadsEveryWriteAsync(scenario);
    }

    [Fact]
    public async Task Pull_leaves_the_active_overlay_on_the_base_and_the_next_backup_stays_incremental()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var chains = await ThreeBackupsAsync(scenario);

        await ConsolidateAsync(scenario, "--method", "pull");

        await AssertLiveChainsAsync(scenario, chains, chain => [chain[0], chain[2]]);
        await AssertGuestReadsEveryWriteAsync(scenario);

        await scenario.WriteAsync("vda", 9 * MiB, MiB, 0x47);
        await scenario.BackupAsync();
        Assert.Equal("incremental", await LastPointTypeAsync(scenario));
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[^1]);
    }

    [Fact]
    public async Task Commit_of_a_shut_off_domain_folds_offline_and_the_guest_reads_its_data_after_starting()
    {
        // Backed up while shut off from the start: destroying a running domain could lose
        // writes QEMU had not flushed yet, which would test QEMU rather than fibackup.
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        var chains = await ThreeBackupsAsync(scenario);

        await ConsolidateAsync(scenario, "--method", "commit");

        Assert.False(scenario.Domain.Domain.IsActive);
        await AssertLiveChainsAsync(scenario, chains, chain => chain.Skip(1).ToList());
        scenario.Domain.Domain.Start();
        await AssertGuestReadsEveryWriteAsync(scenario);
    }
}
