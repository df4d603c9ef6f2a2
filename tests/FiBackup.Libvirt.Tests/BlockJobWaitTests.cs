namespace FiBackup.Libvirt.Tests;

public sealed class BlockJobWaitTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task A_job_that_ended_before_the_wait_began_is_still_reported_completed()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        Overlays.Take(vm, "t1", "vda");
        vm.Domain.BlockPull("vda");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (vm.Domain.GetBlockJobInfo("vda") is not null && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Null(vm.Domain.GetBlockJobInfo("vda"));

        var status = await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, status);
    }

    [Fact]
    public async Task Waiting_on_a_connection_opened_after_the_job_ended_reports_vanished()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        Overlays.Take(vm, "t1", "vda");
        vm.Domain.BlockPull("vda");
        Assert.Equal(BlockJobStatus.Completed, await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout()));
        using var later = LibvirtConnection.Open(LibvirtFixture.Uri);
        using var domain = later.LookupDomain(vm.Name);

        var status = await domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Vanished, status);
    }

    [Fact]
    public async Task A_job_started_by_its_image_path_can_be_waited_on_by_that_path()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0xe1);
        var overlay = Overlays.Take(vm, "t1", "vda")["vda"];

        vm.Domain.BlockPull(overlay);
        var status = await vm.Domain.WaitForBlockJobAsync(overlay, BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, status);
        Assert.Equal([overlay], vm.LiveChain("vda"));
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0xe1);
    }

    [Fact]
    public async Task An_active_commit_started_by_path_is_seen_completed_by_that_path_after_the_pivot()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var overlay = Overlays.Take(vm, "t1", "vda")["vda"];
        vm.Domain.BlockCommit(overlay, null, null, flags: BlockCommitFlags.Active);
        Assert.Equal(BlockJobStatus.Ready, await vm.Domain.WaitForBlockJobAsync(overlay, BlockJobWait.Ready, Overlays.Timeout()));

        vm.Domain.AbortBlockJob("vda", BlockJobAbortFlags.Pivot);
        // The overlay is no longer in the live XML, and libvirt reported the end under the base's path.
        var status = await vm.Domain.WaitForBlockJobAsync(overlay, BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, status);
        Assert.Equal([vm.Disk("vda").Path], vm.LiveChain("vda"));
    }

    [Fact]
    public async Task Waiting_until_finished_does_not_return_at_ready()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        Overlays.Take(vm, "t1", "vda");
        vm.Domain.BlockCommit("vda", null, null, flags: BlockCommitFlags.Active);
        Assert.Equal(BlockJobStatus.Ready, await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Ready, Overlays.Timeout()));

        var finished = vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());
        await Task.Delay(1500);
        Assert.False(finished.IsCompleted, "the wait for the end returned while the active commit only was READY");

        vm.Domain.AbortBlockJob("vda", BlockJobAbortFlags.Pivot);
        Assert.Equal(BlockJobStatus.Completed, await finished);
    }

    [Fact]
    public async Task A_canceled_wait_throws_and_leaves_the_job_running()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        Overlays.Take(vm, "t1", "vda");
        await vm.WriteGuestPatternAsync("vda", 0, 48 * MiB, 0xe2);
        vm.Domain.BlockCommit("vda", null, null, bandwidthBytesPerSecond: 64 * 1024, flags: BlockCommitFlags.Active);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, cancel.Token));

        Assert.NotNull(vm.Domain.GetBlockJobInfo("vda"));
        vm.Domain.AbortBlockJob("vda");
    }
}
