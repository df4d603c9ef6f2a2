namespace FiBackup.Libvirt.Tests;

public sealed class BlockPullAndRebaseTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task Block_pull_folds_the_backing_chain_into_the_active_image_and_keeps_the_base_file()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0xc1);
        var overlay = Overlays.Take(vm, "t1", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", MiB, MiB, 0xc2);

        vm.Domain.BlockPull("vda");
        var status = await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, status);
        Assert.Equal([overlay], vm.LiveChain("vda"));
        Assert.True(File.Exists(image), "a block pull must never delete the image it pulled from");
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0xc1);
        await vm.AssertGuestPatternAsync("vda", MiB, MiB, 0xc2);
    }

    [Fact]
    public async Task Block_rebase_onto_the_base_drops_only_the_images_above_it()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);
        var image = vm.Disk("vda").Path;
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0xd1);
        Overlays.Take(vm, "t1", "vda");
        await vm.WriteGuestPatternAsync("vda", MiB, MiB, 0xd2);
        var second = Overlays.Take(vm, "t2", "vda")["vda"];
        await vm.WriteGuestPatternAsync("vda", 2 * MiB, MiB, 0xd3);

        vm.Domain.BlockRebase("vda", image);
        var status = await vm.Domain.WaitForBlockJobAsync("vda", BlockJobWait.Finished, Overlays.Timeout());

        Assert.Equal(BlockJobStatus.Completed, status);
        Assert.Equal([second, image], vm.LiveChain("vda"));
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0xd1);
        await vm.AssertGuestPatternAsync("vda", MiB, MiB, 0xd2);
        await vm.AssertGuestPatternAsync("vda", 2 * MiB, MiB, 0xd3);
    }
}
