using System.Security;

namespace FiBackup.Libvirt.Tests;

public sealed class VolumeStreamTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task Volume_found_by_path_reports_name_capacity_and_allocation()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 32 * MiB, start: false);
        using var pool = OpenPool(vm.Directory);

        using var volume = libvirt.Connection.LookupVolumeByPath(vm.Disk("vda").Path);

        Assert.Equal("vda.qcow2", volume.Name);
        Assert.Equal(vm.Disk("vda").Path, volume.Path);
        Assert.Equal(32UL * MiB, volume.Capacity);
        Assert.InRange(volume.Allocation, 1UL, 1UL * MiB);
    }

    [Fact]
    public async Task Sparse_download_reproduces_the_volume_and_keeps_its_holes()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var source = vm.PathIn("data.raw");
        var content = SparseContent(16 * MiB, (4 * MiB, 0x5d), (13 * MiB, 0x7e));
        await WriteSparseAsync(source, content);
        using var pool = OpenPool(vm.Directory);
        using var volume = libvirt.Connection.LookupVolumeByPath(source);
        var copy = vm.PathIn("copy.raw");

        await using (var destination = File.Create(copy))
            await volume.DownloadAsync(destination, sparse: true, Overlays.Timeout());

        Assert.Equal(content, await File.ReadAllBytesAsync(copy));
        Assert.True(AllocatedBytes(copy) <= 4 * MiB, $"{copy} has {AllocatedBytes(copy)} bytes allocated: the holes were written");
    }

    [Fact]
    public async Task Sparse_download_into_a_stream_that_cannot_seek_writes_holes_as_zeros()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var source = vm.PathIn("data.raw");
        var content = SparseContent(8 * MiB, (MiB, 0x42));
        await WriteSparseAsync(source, content);
        using var pool = OpenPool(vm.Directory);
        using var volume = libvirt.Connection.LookupVolumeByPath(source);
        var destination = new ForwardOnlyStream();

        await volume.DownloadAsync(destination, sparse: true, Overlays.Timeout());

        Assert.Equal(content, destination.Written.ToArray());
    }

    [Fact]
    public async Task Sparse_upload_writes_the_content_into_a_new_volume()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        using var pool = OpenPool(vm.Directory);
        using var volume = pool.CreateVolume(
            $"<volume><name>upload.raw</name><capacity unit='bytes'>{16 * MiB}</capacity><allocation>0</allocation><target><format type='raw'/></target></volume>");
        var content = SparseContent(16 * MiB, (2 * MiB, 0x3c), (9 * MiB, 0x4d));

        await volume.UploadAsync(new MemoryStream(content), (ulong)content.Length, sparse: true, Overlays.Timeout());

        Assert.Equal(content, await File.ReadAllBytesAsync(vm.PathIn("upload.raw")));
        Assert.True(AllocatedBytes(vm.PathIn("upload.raw")) <= 4 * MiB, "the zero ranges were written instead of skipped");
    }

    [Fact]
    public async Task Upload_from_a_source_shorter_than_announced_fails_and_says_so()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        using var pool = OpenPool(vm.Directory);
        using var volume = pool.CreateVolume(
            $"<volume><name>short.raw</name><capacity unit='bytes'>{4 * MiB}</capacity><target><format type='raw'/></target></volume>");

        var error = await Assert.ThrowsAsync<EndOfStreamException>(() =>
            volume.UploadAsync(new MemoryStream(new byte[MiB]), 4 * MiB, sparse: false, Overlays.Timeout()));

        Assert.Contains("short.raw", error.Message);
    }

    /// <summary>A transient dir pool over the domain's directory, destroyed (not deleted) on dispose.</summary>
    private PoolLease OpenPool(string directory)
    {
        var name = "fibt-pool-" + Guid.NewGuid().ToString("N")[..8];
        var pool = libvirt.Connection.CreateTransientPool(
            $"<pool type='dir'><name>{name}</name><target><path>{SecurityElement.Escape(directory)}</path></target></pool>");
        return new PoolLease(pool);
    }

    private sealed class PoolLease(StoragePool pool) : IDisposable
    {
        public StoragePool Pool => pool;

        public StorageVolume CreateVolume(string xml) => pool.CreateVolume(xml);

        public void Dispose()
        {
            pool.Destroy();
            pool.Dispose();
        }
    }

    private static byte[] SparseContent(long size, params (long Offset, byte Value)[] megabytes)
    {
        var content = new byte[size];
        foreach (var (offset, value) in megabytes) content.AsSpan((int)offset, (int)MiB).Fill(value);
        return content;
    }

    /// <summary>Writes only the non-zero MiB blocks, so the file has real holes.</summary>
    private static async Task WriteSparseAsync(string path, byte[] content)
    {
        await using var file = File.Create(path);
        file.SetLength(content.Length);
        for (var offset = 0; offset < content.Length; offset += (int)MiB)
        {
            var block = content.AsMemory(offset, (int)MiB);
            if (!block.Span.ContainsAnyExcept((byte)0))
                continue;
            file.Position = offset;
            await file.WriteAsync(block);
        }
    }

    private static long AllocatedBytes(string path) =>
        long.Parse(HostTool.RunAsync("stat", "-c", "%b", path).GetAwaiter().GetResult().Trim()) * 512;

    private sealed class ForwardOnlyStream : Stream
    {
        public MemoryStream Written { get; } = new();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }
}
