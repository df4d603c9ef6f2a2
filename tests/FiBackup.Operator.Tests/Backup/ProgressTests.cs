using FiBackup.Engine;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>What a status writer learns from the progress callback: the plan first, then bytes per disk.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class ProgressTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task The_plan_is_reported_before_the_snapshot_and_per_disk_bytes_add_up_to_the_total()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 3 * MiB, 0x61);
        await scenario.WriteAsync("vdb", MiB, MiB, 0x62);
        var activeBefore = new[] { "vda", "vdb" }.ToDictionary(t => t, scenario.ActiveImage);
        var reports = new List<BackupProgress>();
        Dictionary<string, string>? activeAtFirstReport = null;
        var progress = new InlineProgress<BackupProgress>(p =>
        {
            // Inline on the engine's thread: the domain is exactly as it is at this step.
            activeAtFirstReport ??= new[] { "vda", "vdb" }.ToDictionary(t => t, scenario.ActiveImage);
            reports.Add(p);
        });

        using var source = LibvirtVmSource.Connect(LibvirtFixture.Uri);
        var result = await new BackupRunner(TimeProvider.System, new FileDomainLocks()).RunAsync(source,
            new BackupRequest { Domain = scenario.Domain.Name, RepositoryRoot = scenario.Repository }, progress, CancellationToken.None);

        Assert.Equal(BackupOutcome.Created, result.Outcome);
        var first = reports[0];
        Assert.Equal(BackupStep.Snapshotting, first.Step);
        Assert.NotNull(first.Plan);
        Assert.Equal(activeBefore, activeAtFirstReport);
        Assert.Equal(result.PointId, first.Plan.PointId);
        Assert.Equal(result.Chain, first.Plan.Chain);
        Assert.Equal(["vda", "vdb"], first.Plan.Disks.Select(d => d.Target));
        Assert.Equal(activeBefore["vda"], first.Plan.Disks[0].Source);
        Assert.All(first.Plan.Disks, d => Assert.True(d.BytesToCopy > 0));

        Assert.All(reports, r => Assert.Same(first.Plan, r.Plan));
        var copying = reports.Where(r => r.Step == BackupStep.Copying).ToList();
        Assert.NotEmpty(copying);
        Assert.All(copying, r =>
        {
            Assert.Equal(r.BytesDone, r.Disks.Sum(d => d.BytesDone));
            Assert.Equal(r.BytesTotal, r.Disks.Sum(d => d.BytesTotal));
        });
        Assert.Equal(copying[^1].BytesTotal, copying[^1].BytesDone);
        Assert.Equal(first.Plan.BytesToCopy, copying[^1].BytesTotal);
    }
}
