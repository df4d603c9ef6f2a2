using Xunit.Sdk;

namespace FiBackup.Libvirt.Tests;

/// <summary>The fixture other test projects build on: its guest I/O must tell right from wrong, and it must clean up.</summary>
public sealed class LibvirtFixtureTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task Guest_pattern_read_tells_the_written_byte_from_any_other()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        await vm.WriteGuestPatternAsync("vda", 3 * MiB, 2 * MiB, 0xab);

        Assert.True(await vm.ReadGuestPatternAsync("vda", 3 * MiB, 2 * MiB, 0xab));
        Assert.False(await vm.ReadGuestPatternAsync("vda", 3 * MiB, 2 * MiB, 0xac));
        Assert.False(await vm.ReadGuestPatternAsync("vda", 2 * MiB, 2 * MiB, 0xab), "a range half outside the write read as written");
        Assert.True(await vm.ReadGuestPatternAsync("vda", 0, 3 * MiB, 0x00));
    }

    [Fact]
    public async Task Guest_pattern_assertion_names_the_disk_range_and_expected_byte()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2);
        await vm.WriteGuestPatternAsync("vdb", 0, MiB, 0x01);

        var failure = await Assert.ThrowsAsync<XunitException>(() => vm.AssertGuestPatternAsync("vdb", 0, MiB, 0xcd));

        Assert.Contains("disk vdb", failure.Message);
        Assert.Contains("0xcd", failure.Message);
        Assert.Contains($"{MiB} bytes at offset 0", failure.Message);
    }

    [Fact]
    public async Task A_write_past_the_end_of_the_disk_fails_the_test()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 8 * MiB);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => vm.WriteGuestPatternAsync("vda", 8 * MiB, MiB, 0x10));

        Assert.Contains("write failed", failure.Message);
    }

    [Fact]
    public async Task Disposing_a_running_test_domain_removes_the_domain_its_directory_and_its_log()
    {
        var vm = await libvirt.CreateDomainAsync(disks: 2);
        Overlays.Take(vm, "t1", "vda");
        Assert.True(File.Exists(vm.LogPath));

        await vm.DisposeAsync();

        Assert.Null(libvirt.Connection.TryLookupDomain(vm.Name));
        Assert.False(Directory.Exists(vm.Directory));
        Assert.False(File.Exists(vm.LogPath));
    }

    [Fact]
    public async Task Options_give_a_disk_a_template_backing_chain_and_add_a_cdrom()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2,
            options: new TestDomainOptions { DisksWithBackingChain = ["vda"], Cdrom = true });

        Assert.Equal([vm.Disk("vda").Path, vm.Disk("vda").TemplatePath!], vm.LiveChain("vda"));
        Assert.Equal([vm.Disk("vdb").Path], vm.LiveChain("vdb"));
        Assert.Equal(vm.CdromPath, vm.LiveChain("hdc").Single());
        Assert.Contains("device='cdrom'", vm.Domain.GetXml());
        await vm.WriteGuestPatternAsync("vda", 0, MiB, 0x21);
        await vm.AssertGuestPatternAsync("vda", 0, MiB, 0x21);
    }

    [Fact]
    public async Task Exported_guest_disk_holds_what_the_guest_wrote_across_the_chain()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 8 * MiB);
        await vm.WriteGuestPatternAsync("vda", MiB, MiB, 0x31);
        Overlays.Take(vm, "t1", "vda");
        await vm.WriteGuestPatternAsync("vda", 3 * MiB, MiB, 0x32);
        var raw = vm.PathIn("export.raw");

        await vm.ExportGuestDiskAsync("vda", raw);

        var bytes = await File.ReadAllBytesAsync(raw);
        Assert.Equal(8 * MiB, bytes.Length);
        Assert.False(bytes.AsSpan(0, (int)MiB).ContainsAnyExcept((byte)0));
        Assert.False(bytes.AsSpan((int)MiB, (int)MiB).ContainsAnyExcept((byte)0x31));
        Assert.False(bytes.AsSpan(3 * (int)MiB, (int)MiB).ContainsAnyExcept((byte)0x32));
    }

    [Fact]
    public async Task Test_domains_of_one_fixture_get_distinct_names_and_directories()
    {
        await using var first = await libvirt.CreateDomainAsync(disks: 1, start: false);
        await using var second = await libvirt.CreateDomainAsync(disks: 1, start: false);

        Assert.NotEqual(first.Name, second.Name);
        Assert.StartsWith(LibvirtFixture.NamePrefix, first.Name);
        Assert.Equal(Path.Combine(libvirt.Root, first.Name), first.Directory);
        Assert.NotEqual(first.Directory, second.Directory);
    }
}
