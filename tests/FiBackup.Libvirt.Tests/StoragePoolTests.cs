using System.Security;
using System.Xml.Linq;

namespace FiBackup.Libvirt.Tests;

public sealed class StoragePoolTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task A_transient_dir_pool_is_listed_with_its_target_path_and_is_not_persistent()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        using var pool = CreatePool(vm.Directory, out var name);
        try
        {
            var listed = libvirt.Connection.ListStoragePools();
            try
            {
                var ours = Assert.Single(listed, p => p.Name == name);
                var xml = XDocument.Parse(ours.GetXml()).Root!;
                Assert.Equal("dir", xml.Attribute("type")?.Value);
                Assert.Equal(vm.Directory, xml.Element("target")?.Element("path")?.Value);
                Assert.True(ours.IsActive);
                Assert.False(ours.IsPersistent);
            }
            finally
            {
                foreach (var p in listed) p.Dispose();
            }
        }
        finally
        {
            pool.Destroy();
        }
        using var gone = libvirt.Connection.TryLookupStoragePool(name);
        Assert.Null(gone);
    }

    [Fact]
    public async Task Looking_up_a_pool_by_name_finds_it_and_an_unknown_name_gives_null()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        using var pool = CreatePool(vm.Directory, out var name);
        try
        {
            using var found = libvirt.Connection.TryLookupStoragePool(name);
            Assert.NotNull(found);
            Assert.Equal(name, found.Name);
            Assert.Null(libvirt.Connection.TryLookupStoragePool("fibt-no-such-pool-" + Guid.NewGuid().ToString("N")[..8]));
        }
        finally
        {
            pool.Destroy();
        }
    }

    [Fact]
    public async Task A_file_made_after_the_pool_started_is_a_volume_only_after_a_refresh()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        using var pool = CreatePool(vm.Directory, out _);
        try
        {
            await HostTool.CreateQcow2Async(vm.PathIn("late.qcow2"), 8 * MiB);

            Assert.Null(pool.TryLookupVolume("late.qcow2"));
            pool.Refresh();
            using var volume = pool.TryLookupVolume("late.qcow2");
            Assert.NotNull(volume);
            Assert.Equal(vm.PathIn("late.qcow2"), volume.Path);
        }
        finally
        {
            pool.Destroy();
        }
    }

    [Fact]
    public async Task Volume_xml_names_format_capacity_allocation_and_the_backing_store()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 16 * MiB, start: false,
            options: new TestDomainOptions { DisksWithBackingChain = ["vda"] });
        using var pool = CreatePool(vm.Directory, out _);
        try
        {
            using var volume = pool.LookupVolume("vda.qcow2");

            var xml = XDocument.Parse(volume.GetXml()).Root!;
            Assert.Equal("qcow2", xml.Element("target")?.Element("format")?.Attribute("type")?.Value);
            Assert.Equal((16 * MiB).ToString(), xml.Element("capacity")?.Value);
            Assert.InRange(long.Parse(xml.Element("allocation")!.Value), 1, MiB);
            var backing = xml.Element("backingStore");
            Assert.Equal(vm.Disk("vda").TemplatePath, backing?.Element("path")?.Value);
            Assert.Equal("qcow2", backing?.Element("format")?.Attribute("type")?.Value);
        }
        finally
        {
            pool.Destroy();
        }
    }

    [Fact]
    public async Task A_download_of_a_range_returns_only_those_bytes()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 16 * MiB, start: false);
        using var pool = CreatePool(vm.Directory, out _);
        try
        {
            using var volume = pool.LookupVolume("vda.qcow2");
            var head = new MemoryStream();

            await volume.DownloadAsync(head, 0, 4096, sparse: false, Overlays.Timeout());

            var expected = (await File.ReadAllBytesAsync(vm.Disk("vda").Path))[..4096];
            Assert.Equal(expected, head.ToArray());
        }
        finally
        {
            pool.Destroy();
        }
    }

    [Fact]
    public async Task A_deleted_volume_is_gone_from_the_pool_and_the_directory()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        await HostTool.CreateQcow2Async(vm.PathIn("scratch.qcow2"), 8 * MiB);
        using var pool = CreatePool(vm.Directory, out _);
        try
        {
            using (var volume = pool.LookupVolume("scratch.qcow2")) volume.Delete();

            Assert.False(File.Exists(vm.PathIn("scratch.qcow2")));
            Assert.Null(pool.TryLookupVolume("scratch.qcow2"));
        }
        finally
        {
            pool.Destroy();
        }
    }

    private StoragePool CreatePool(string directory, out string name)
    {
        name = "fibt-pool-" + Guid.NewGuid().ToString("N")[..8];
        return libvirt.Connection.CreateTransientPool(
            $"<pool type='dir'><name>{name}</name><target><path>{SecurityElement.Escape(directory)}</path></target></pool>");
    }
}
