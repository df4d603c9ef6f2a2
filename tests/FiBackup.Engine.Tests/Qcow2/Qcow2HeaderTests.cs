using FiBackup.Engine.Qcow2;
using FiBackup.Engine.Tests.Copy;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Qcow2;

public sealed class Qcow2HeaderTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("0.10", 65536, 2)]
    [InlineData("1.1", 65536, 3)]
    [InlineData("1.1", 512, 3)]
    [InlineData("1.1", 2 << 20, 3)]
    public async Task A_header_written_by_qemu_img_reads_back_its_version_cluster_size_backing_and_format(
        string compat, int clusterSize, int version)
    {
        var overlay = await CreateOverlayAsync(compat, clusterSize);

        var header = Qcow2Header.Parse(FirstCluster(overlay));

        Assert.Equal(version, header.Version);
        Assert.Equal(clusterSize, header.ClusterSize);
        Assert.Equal(64L * MiB, header.VirtualSize);
        Assert.Equal(_scratch.File("base.qcow2"), header.BackingFile);
        Assert.Equal("qcow2", header.BackingFormat);
        Assert.False(header.HasExternalDataFile);
    }

    [Fact]
    public async Task A_new_backing_replaces_the_name_and_format_and_keeps_every_other_field_and_extension()
    {
        var cluster = FirstCluster(await CreateOverlayAsync("1.1", 65536));
        var original = Qcow2Header.Parse(cluster);

        var rewritten = original.WithBacking("000-full.qcow2", "raw", cluster.Length);
        var reparsed = Qcow2Header.Parse(rewritten);

        Assert.Equal("000-full.qcow2", reparsed.BackingFile);
        Assert.Equal("raw", reparsed.BackingFormat);
        Assert.Equal(cluster.Length, rewritten.Length);
        // Bytes 0-7 (magic, version) and 20 up to the end of the fixed fields are untouched.
        Assert.Equal(cluster[..8], rewritten[..8]);
        Assert.Equal(cluster[20..original.HeaderLength], rewritten[20..original.HeaderLength]);
        Assert.Equal(
            original.Extensions.Where(e => e.Type != Qcow2HeaderExtension.BackingFormatName).Select(e => (e.Type, e.Data.ToArray())),
            reparsed.Extensions.Where(e => e.Type != Qcow2HeaderExtension.BackingFormatName).Select(e => (e.Type, e.Data.ToArray())));
        Assert.Contains(original.Extensions, e => e.Type == Qcow2HeaderExtension.FeatureNameTable);
    }

    [Fact]
    public async Task Removing_the_backing_removes_both_the_name_and_the_format_extension()
    {
        var cluster = FirstCluster(await CreateOverlayAsync("1.1", 65536));

        var reparsed = Qcow2Header.Parse(Qcow2Header.Parse(cluster).WithBacking(null, "qcow2", cluster.Length));

        Assert.Null(reparsed.BackingFile);
        Assert.Null(reparsed.BackingFormat);
        Assert.DoesNotContain(reparsed.Extensions, e => e.Type == Qcow2HeaderExtension.BackingFormatName);
    }

    [Theory]
    [InlineData(400)]   // past a 512-byte cluster
    [InlineData(1024)]  // past qcow2's limit for any cluster size
    public async Task A_backing_name_that_does_not_fit_is_refused(int nameLength)
    {
        var cluster = FirstCluster(await CreateOverlayAsync("1.1", 512));
        var header = Qcow2Header.Parse(cluster);

        Assert.Throws<Qcow2HeaderFullException>(() => header.WithBacking(new string('a', nameLength), "qcow2", cluster.Length));
    }

    [Fact]
    public void A_file_that_is_not_qcow2_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => Qcow2Header.Parse(new byte[4096]));
        Assert.Contains("not a qcow2 image", error.Message);
    }

    [Fact]
    public void An_extension_that_runs_past_the_first_cluster_is_refused()
    {
        var cluster = new byte[512];
        "QFI\xfb"u8.ToArray().CopyTo(cluster, 0);
        cluster[7] = 2;    // version 2
        cluster[23] = 9;   // cluster_bits: 512 bytes
        cluster[72] = 0x12; // some extension type at the end of the fixed fields...
        cluster[77] = 0xff; // ...whose data length reaches far past the cluster

        Assert.Throws<InvalidDataException>(() => Qcow2Header.Parse(cluster));
    }

    private async Task<string> CreateOverlayAsync(string compat, int clusterSize)
    {
        var baseImage = _scratch.File("base.qcow2");
        var overlay = _scratch.File("overlay.qcow2");
        await CreateQcow2Async(baseImage, "64M", options: $"compat={compat},cluster_size={clusterSize}");
        await CreateQcow2Async(overlay, "64M", backing: baseImage, options: $"compat={compat},cluster_size={clusterSize}");
        return overlay;
    }

    private static byte[] FirstCluster(string image)
    {
        var bytes = File.ReadAllBytes(image);
        return bytes[..Math.Min(bytes.Length, Qcow2Header.ClusterSizeOf(bytes))];
    }
}
