namespace FiBackup.Libvirt.Tests;

public sealed class BlockCommitTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task Intermediate_commit_with_delete_folds_the_older_overlay_into_the_base_and_deletes_it()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0xa1);
        var first = Overlays.Take(vm, "t1", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", MiB, MiB, 0xa2);
        var second = Overlays.Take(vm, "t2", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", 2 * MiB, MiB, 0xa3);

        vm.Domain.BlockCommit("vda", image, first, flags: BlockCommitFlags.Delete);
        var status = await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, status);
        Assert.Equal([second, image], vm.LiveChain("vda"));
        Assert.False(File.Exists(first), $"{first} was committed with DELETE but still exists");
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0xa1);
        await vm.AssertGuestPatternAsync("vda", MiB, MiB, 0xa2);
        await vm.AssertGuestPatternAsync("vda", 2 * MiB, MiB, 0xa3);
    }

    [Fact]
    public async Task Active_commit_waited_on_by_event_can_be_pivoted()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        var overlay = Overlays.Take(vm, "t1", "vda")["vda"];

        vm.Domain.BlockCommit("vda", null, null, flags: BlockCommitFlags.Active);
        var ready = await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Ready, Overlays.Timeout());
        Assert.Equal(BlockJobStatus.Ready, ready);
        Assert.Equal(BlockJobType.ActiveCommit, vm.Domain.GetBlockJobInfo("vda")?.Type);

        vm.Domain.AbortBlockJob("vda", BlockJobAbortFlags.Pivot);
        var finished = await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, finished);
        Assert.Equal([image], vm.LiveChain("vda"));
        Assert.Null(vm.Domain.GetBlockJobInfo("vda"));
        Assert.True(File.Exists(overlay), "an active commit without DELETE removed the overlay");
    }

    [Fact]
    public async Task Patterns_written_before_and_after_a_snapshot_are_readable_after_consolidation()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2);
        await vm.WriteGuestPatternAsync("vdb", 0, 2 * MiB, 0xbe);         // before: 0..2M
        Overlays.Take(vm, "t1", "vda", "vdb");
        await vm.WriteGuestPatternAsync("vdb", MiB, 2 * MiB, 0xaf);       // after: 1M..3M, over half of it

        vm.Domain.BlockCommit("vdb", null, null, flags: BlockCommitFlags.Active | BlockCommitFlags.Delete);
        Assert.Equal(BlockJobStatus.Ready, await vm.Domain.WaitForBlockJobAsync("vdb", BlockJobWait.Ready, Overlays.Timeout()));
        vm.Domain.AbortBlockJob("vdb", BlockJobAbortFlags.Pivot);
        Assert.Equal(BlockJobStatus.Completed, await vm.Domain.WaitForBlockJobAsync("vdb", BlockJobWait.Finished, Overlays.Timeout()));

        Assert.Equal([vm.Disk("vdb").Path], vm.LiveChain("vdb"));
        await vm.AssertGuestPatternAsync("vdb", 0, MiB, 0xbe);
        await vm.AssertGuestPatternAsync("vdb", MiB, 2 * MiB, 0xaf);
        await vm.AssertGuestPatternAsync("vdb", 3 * MiB, MiB, 0x00);
    }

    [Fact]
    public async Task Pivot_before_the_active_commit_is_ready_fails_with_block_copy_active()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        Overlays.Take(vm, "t1", "vda");
        await vm.WriteGuestPatternAsync("vda", 0, 48 * MiB, 0x5a);
        vm.Domain.BlockCommit("vda", null, null, bandwidthBytesPerSecond: 256 * 1024, flags: BlockCommitFlags.Active);

        var error = Assert.Throws<LibvirtException>(() => vm.Domain.AbortBlockJob("vda", BlockJobAbortFlags.Pivot));

        Assert.Equal(LibvirtErrorCode.BlockCopyActive, error.Code);
        Assert.NotNull(vm.Domain.GetBlockJobInfo("vda"));
        vm.Domain.AbortBlockJob("vda");
    }

    [Fact]
    public async Task Block_job_info_reports_type_progress_and_bandwidth_in_bytes()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        var first = Overlays.Take(vm, "t1", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", 0, 16 * MiB, 0x77);
        Overlays.Take(vm, "t2", "vda");

        vm.Domain.BlockCommit("vda", image, first, bandwidthBytesPerSecond: 512 * 1024);
        var info = vm.Domain.GetBlockJobInfo("vda");

        Assert.NotNull(info);
        Assert.Equal(BlockJobType.Commit, info.Type);
        Assert.Equal(512UL * 1024, info.Bandwidth);
        Assert.True(info.End > 0 && info.Current < info.End, $"progress {info.Current}/{info.End} of a throttled 16 MiB commit");
        vm.Domain.AbortBlockJob("vda");
    }

    [Fact]
    public async Task Block_job_speed_can_be_raised_while_the_job_runs()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        var first = Overlays.Take(vm, "t1", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", 0, 16 * MiB, 0x78);
        Overlays.Take(vm, "t2", "vda");
        vm.Domain.BlockCommit("vda", image, first, bandwidthBytesPerSecond: 64 * 1024);

        vm.Domain.SetBlockJobSpeed("vda", 3 * MiB);

        Assert.Equal(3UL * MiB, vm.Domain.GetBlockJobInfo("vda")?.Bandwidth);
        vm.Domain.SetBlockJobSpeed("vda", 0);
        Assert.Equal(BlockJobStatus.Completed, await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout()));
        await vm.AssertGuestPatternAsync("vda", 0, 16 * MiB, 0x78);
    }

    [Fact]
    public async Task Aborting_a_commit_asynchronously_reports_it_canceled_and_keeps_the_chain()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        var first = Overlays.Take(vm, "t1", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", 0, 16 * MiB, 0x79);
        var second = Overlays.Take(vm, "t2", "vda")["vda"];
        vm.Domain.BlockCommit("vda", image, first, bandwidthBytesPerSecond: 64 * 1024);

        vm.Domain.AbortBlockJob("vda", BlockJobAbortFlags.Async);

        Assert.Equal(BlockJobStatus.Canceled, await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout()));
        Assert.Equal([second, first, image], vm.LiveChain("vda"));
        await vm.AssertGuestPatternAsync("vda", 0, 16 * MiB, 0x79);
    }
}
