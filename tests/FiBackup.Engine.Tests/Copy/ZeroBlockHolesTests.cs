using System.Security.Cryptography;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Tools;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Copy;

public sealed class ZeroBlockHolesTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Written_zero_blocks_become_holes_and_the_content_stays_the_same()
    {
        // Every byte allocated: 1 MiB random, 2 MiB of written zeros, 100 KiB random, then zeros to 4 MiB.
        var path = _scratch.File("tool-written.raw");
        var content = new byte[4 * MiB];
        RandomNumberGenerator.Fill(content.AsSpan(0, MiB));
        RandomNumberGenerator.Fill(content.AsSpan(3 * MiB, 100 << 10));
        File.WriteAllBytes(path, content);
        Assert.True(await AllocatedBytesAsync(path) >= 4L * MiB);

        var freed = ZeroBlockHoles.Punch(path);

        Assert.Equal(content, File.ReadAllBytes(path));
        // The 64 KiB block holding the random tail's last 36 KiB stays whole; every other zero block goes.
        Assert.Equal(4L * MiB - MiB - (128 << 10), freed);
        Assert.InRange(await AllocatedBytesAsync(path), MiB + (128 << 10), MiB + (128 << 10));
    }

    [Fact]
    public async Task A_qcow2_image_reads_the_same_after_its_zero_metadata_is_punched()
    {
        // qemu-img writes an overlay's L2 tables and refcount blocks whole: 128 KiB clusters, mostly zeros.
        var path = _scratch.File("overlay.qcow2");
        await CreateQcow2Async(path, "64M", options: "cluster_size=131072,extended_l2=on");
        await WritePatternAsync(path, 0xab, 5 * MiB, 4 << 10);
        await WritePatternAsync(path, 0xcd, 40 * MiB, 4 << 10);
        var copy = _scratch.File("before.qcow2");
        File.Copy(path, copy);
        var before = await AllocatedBytesAsync(path);

        var freed = ZeroBlockHoles.Punch(path);

        Assert.True(freed > 0, "qemu-img's metadata clusters held no zero block");
        // A punched range that ends inside a filesystem block leaves that block allocated.
        Assert.InRange(await AllocatedBytesAsync(path), before - freed, before - freed + (64 << 10));
        Assert.Equal(File.ReadAllBytes(copy), File.ReadAllBytes(path));
        Assert.True(await QemuImg.CompareAsync(copy, path, CancellationToken.None));
        Assert.True(await ReadsPatternAsync(path, 0xcd, 40 * MiB, 4 << 10));
        var check = await QemuImg.CheckAsync(path, CancellationToken.None);
        Assert.True(check.Clean, check.Output);
    }
}
