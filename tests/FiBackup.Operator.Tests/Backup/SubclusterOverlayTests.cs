using System.Text.Json;
using FiBackup.Engine.Repository;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// fibackup makes the overlays of its snapshots itself, with subclusters (extended_l2), and the
/// snapshot reuses them: a 4 KiB guest write then allocates 4 KiB in the overlay instead of a whole
/// cluster copied up from the backing, and the incremental (a copy of that overlay) stores
/// about what the guest wrote. The overlay looks to QEMU as one libvirt made would.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class SubclusterOverlayTests(LibvirtFixture fixture)
{
    private const long KiB = 1 << 10;
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Small_writes_are_stored_at_about_their_size_and_every_point_restores_exactly()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 4 * MiB, 0x31);
        await scenario.WriteAsync("vdb", 2 * MiB, MiB, 0x32);
        await scenario.BackupAsync();
        var overlay = scenario.ActiveImage("vda");
        Assert.True(await BackupScenario.HasSubclustersAsync(overlay), $"the live overlay {overlay} has no subclusters");

        // 64 writes of 4 KiB, each in a 128 KiB cluster of its own, over data and over holes.
        const int writes = 64;
        for (var i = 0; i < writes; i++)
            await scenario.WriteAsync("vda", i * 192 * KiB + 8 * KiB, 4 * KiB, (byte)(0x40 + i));
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 5 * MiB, 4 * KiB, 0x99);
        await scenario.BackupAsync();

        var manifest = scenario.Manifest(scenario.PointIds[1]);
        var vda = manifest.Disks.Single(d => d.Target == "vda");
        var file = Path.Combine(scenario.DomainDirectory, vda.Files[^1].Path);
        Assert.True(await BackupScenario.HasSubclustersAsync(file), $"the incremental {file} has no subclusters");
        // Written: 256 KiB. Whole clusters would be 64 x 128 KiB = 8 MiB. Allowed: twice what was written
        // plus 384 KiB for the qcow2's own metadata (header, L1, refcount table and block, one extended
        // L2 table; 772 KiB in all were measured with 128 KiB clusters).
        var bound = 2 * writes * 4 * KiB + 384 * KiB;
        Assert.True(vda.Bytes <= bound, $"the incremental of 64 x 4 KiB stores {vda.Bytes} bytes, more than {bound}");
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task The_overlay_fibackup_makes_gets_the_owner_and_mode_of_one_libvirt_makes()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        // An overlay libvirt makes itself (no reuse), then fibackup's on top of it.
        var libvirtMade = scenario.Domain.PathIn("vda.libvirt-made.qcow2");
        await HostTool.RunAsync("virsh", "-c", LibvirtFixture.Uri, "snapshot-create-as", scenario.Domain.Name,
            "--disk-only", "--no-metadata", "--atomic", "--diskspec", $"vda,file={libvirtMade}", "--diskspec", "vdb,snapshot=no");
        Assert.Equal(libvirtMade, scenario.ActiveImage("vda"));
        var libvirtStat = await StatAsync(libvirtMade);
        Assert.False(await BackupScenario.HasSubclustersAsync(libvirtMade), "libvirt's own overlay has subclusters; the comparison below shows nothing");

        await scenario.WriteAsync("vda", MiB, MiB, 0x51);
        await scenario.BackupAsync();
        var ours = scenario.ActiveImage("vda");
        Assert.NotEqual(libvirtMade, ours);
        Assert.True(await BackupScenario.HasSubclustersAsync(ours), $"{ours} has no subclusters");
        Assert.Equal(libvirtStat, await StatAsync(ours));
        await scenario.WriteAsync("vda", 3 * MiB, 4 * KiB, 0x52);
        await scenario.BackupAsync();
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task A_chain_whose_overlay_was_made_without_subclusters_continues_and_restores_exactly()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x61);
        // The first backup as an earlier version took it: libvirt made the overlay (no subclusters).
        using (var legacy = new SourceLeavingOverlaysToLibvirt(LibvirtFixture.Uri))
            await scenario.BackupThroughAsync(legacy);
        Assert.False(await BackupScenario.HasSubclustersAsync(scenario.ActiveImage("vda")), "the first overlay has subclusters; the test shows nothing");

        await scenario.WriteAsync("vda", 4 * MiB, 64 * KiB, 0x62);
        await scenario.BackupAsync();
        Assert.True(await BackupScenario.HasSubclustersAsync(scenario.ActiveImage("vda")));
        await scenario.WriteAsync("vda", 6 * MiB, 4 * KiB, 0x63);
        await scenario.BackupAsync();
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    private static async Task<string> StatAsync(string path) => (await HostTool.RunAsync("stat", "-c", "%u:%g %a", path)).Trim();
}
