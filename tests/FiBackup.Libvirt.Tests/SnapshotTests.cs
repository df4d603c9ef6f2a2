namespace FiBackup.Libvirt.Tests;

public sealed class SnapshotTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task Atomic_two_disk_external_snapshot_moves_a_running_domain_onto_new_overlays()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2);
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0x11);
        await vm.WriteGuestPatternAsync("vdb", 0, MiB, 0x22);

        var overlays = Overlays.Take(vm, "t1", "vda", "vdb");

        Assert.Equal(DomainState.Running, vm.Domain.State);
        Assert.Equal([overlays["vda"], vm.Disk("vda").Path], vm.LiveChain("vda"));
        Assert.Equal([overlays["vdb"], vm.Disk("vdb").Path], vm.LiveChain("vdb"));
        await vm.WriteGuestPatternAsync("vda", MiB, MiB, 0x33);
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0x11);
        await vm.AssertGuestPatternAsync("vda", MiB, MiB, 0x33);
        await vm.AssertGuestPatternAsync("vdb", 0, MiB, 0x22);
    }

    [Fact]
    public async Task Writes_after_a_snapshot_land_in_the_overlay_and_leave_the_old_image_unchanged()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0x11);
        Overlays.Take(vm, "t1", "vda");

        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0x44);

        // qemu-io in a second QEMU process would need the image lock: read the old image as raw data instead.
        var exported = vm.PathIn("old.raw");
        await HostTool.RunAsync("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", vm.Disk("vda").Path, exported);
        var bytes = File.ReadAllBytes(exported).AsSpan(0, (int)MiB);
        Assert.False(bytes.ContainsAnyExcept((byte)0x11), "the image below the overlay changed after the snapshot");
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0x44);
    }

    [Fact]
    public async Task Snapshot_of_one_disk_leaves_a_disk_marked_no_on_its_image()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2);
        var overlay = vm.PathIn("vda.fib-t1.qcow2");
        var snapshot = new ExternalSnapshot("t1", new Dictionary<string, string> { ["vda"] = overlay }, ["vdb"]);

        vm.Domain.CreateSnapshot(snapshot.ToXml(), Overlays.BackupFlags);

        Assert.Equal([overlay, vm.Disk("vda").Path], vm.LiveChain("vda"));
        Assert.Equal([vm.Disk("vdb").Path], vm.LiveChain("vdb"));
    }

    [Fact]
    public async Task Offline_external_snapshot_of_a_shut_off_domain_updates_its_definition()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0x55);
        vm.Domain.Destroy();

        var overlays = Overlays.Take(vm, "t1", "vda");

        Assert.Equal(DomainState.ShutOff, vm.Domain.State);
        // The definition of a shut-off domain names only the active image (libvirt probes the
        // backing chain when the domain starts), so the overlay's own header must name the image.
        Assert.Equal([overlays["vda"]], vm.LiveChain("vda"));
        var info = await HostTool.RunAsync("qemu-img", "info", "--output=json", overlays["vda"]);
        Assert.Contains($"\"backing-filename\": \"{vm.Disk("vda").Path}\"", info);
        vm.Domain.Start();
        Assert.Equal([overlays["vda"], vm.Disk("vda").Path], vm.LiveChain("vda"));
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0x55);
    }

    [Fact]
    public async Task Snapshot_to_an_existing_file_fails_clearly_and_leaves_the_domain_running()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2);
        var taken = vm.PathIn("vdb.fib-t1.qcow2");
        await HostTool.CreateQcow2Async(taken, 64 * MiB);
        var before = File.ReadAllBytes(taken);
        var overlays = new Dictionary<string, string> { ["vda"] = vm.PathIn("vda.fib-t1.qcow2"), ["vdb"] = taken };

        var error = Assert.Throws<LibvirtException>(() =>
            vm.Domain.CreateSnapshot(new ExternalSnapshot("t1", overlays).ToXml(), Overlays.BackupFlags));

        Assert.Equal(LibvirtErrorCode.ConfigUnsupported, error.Code);
        Assert.Contains(taken, error.Message);
        Assert.Equal(DomainState.Running, vm.Domain.State);
        Assert.Equal([vm.Disk("vda").Path], vm.LiveChain("vda"));
        Assert.Equal([vm.Disk("vdb").Path], vm.LiveChain("vdb"));
        Assert.False(File.Exists(overlays["vda"]), "the atomic snapshot left an overlay of the other disk behind");
        Assert.Equal(before, File.ReadAllBytes(taken));
    }

    [Fact]
    public async Task Snapshot_reusing_a_prepared_overlay_switches_the_disk_onto_it()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0x66);
        var overlay = vm.PathIn("vda.fib-t1.qcow2");
        await HostTool.CreateQcow2Async(overlay, 64 * MiB, backingFile: vm.Disk("vda").Path);

        vm.Domain.CreateSnapshot(new ExternalSnapshot("t1", new Dictionary<string, string> { ["vda"] = overlay }).ToXml(),
            Overlays.BackupFlags | SnapshotCreateFlags.ReuseExternal);

        Assert.Equal([overlay, vm.Disk("vda").Path], vm.LiveChain("vda"));
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0x66);
    }

    [Fact]
    public async Task Quiesced_snapshot_without_a_guest_agent_fails_and_changes_nothing()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var overlay = vm.PathIn("vda.fib-t1.qcow2");

        var error = Assert.Throws<LibvirtException>(() => vm.Domain.CreateSnapshot(
            new ExternalSnapshot("t1", new Dictionary<string, string> { ["vda"] = overlay }).ToXml(),
            Overlays.BackupFlags | SnapshotCreateFlags.Quiesce));

        Assert.Equal(LibvirtErrorCode.ArgumentUnsupported, error.Code);
        Assert.Equal([vm.Disk("vda").Path], vm.LiveChain("vda"));
        Assert.False(File.Exists(overlay));
        Assert.Equal(DomainState.Running, vm.Domain.State);
    }
}
