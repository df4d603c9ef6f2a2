using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>Where the bitmap technique does not apply: raw disks, shut-off domains, and a change of technique.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class BitmapTechniqueBehaviourTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_raw_disk_is_refused_naming_the_disk_and_nothing_is_changed()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions
        {
            RawDisks = ["vda"],
            DiskFileNames = new Dictionary<string, string> { ["vda"] = "vda.raw" },
        });
        var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
            "--repository", scenario.Repository, "--technique", "bitmap");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("disk vda", run.Error);
        Assert.Contains("--technique snapshot", run.Error);
        Assert.Empty(await scenario.ListAsync());
        Assert.Single(await scenario.LiveChainAsync("vda"));
    }

    [Fact]
    public async Task A_shut_off_domain_is_taken_with_the_snapshot_technique_and_the_next_running_bitmap_backup_is_a_full()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        await scenario.WriteAsync("vda", 0, MiB, 0x51);
        var offline = await scenario.BackupAsync("--technique", "bitmap");
        Assert.Contains("taken with the snapshot technique", offline.Error);
        Assert.Matches(@", snapshot \d+ ms", offline.Output);

        scenario.Domain.Domain.Start();
        await scenario.WriteAsync("vda", 2 * MiB, MiB, 0x52);
        var running = await scenario.BackupAsync("--technique", "bitmap");
        Assert.Contains("taking a full backup: restore point " + scenario.PointIds[0] + " was taken with the snapshot technique", running.Error);
        await scenario.WriteAsync("vdb", 3 * MiB, MiB, 0x53);
        // Back to the snapshot technique after a bitmap point: a full again, never an overlay copy of the whole image.
        var back = await scenario.BackupAsync();
        Assert.Contains("was taken with the bitmap technique", back.Error);
        // The bitmap point's checkpoint went with it: no bitmap is left for the guest's writes to update.
        Assert.Empty(await Checkpoints.OfAsync(scenario.Domain.Name));

        var types = (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()).ToList();
        Assert.Equal(["full", "full", "full"], types);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }
}
