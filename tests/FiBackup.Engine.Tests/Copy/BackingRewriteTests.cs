using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Qcow2;
using FiBackup.Engine.Tools;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Copy;

/// <summary>
/// The copy of an incremental gets its backing rewritten to the repository's relative name in the
/// same pass. qemu itself is the judge: info, check, compare and pattern reads.
/// </summary>
public sealed class BackingRewriteTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly SparseFileCopier _copier = new();
    private string Live(string name) => _scratch.File($"live/{name}");
    private string Repo(string name) => _scratch.File($"repo/chains/c/vda/{name}");

    public void Dispose() => _scratch.Dispose();

    /// <summary>base (0x11 at 0, 0x22 at 8M) ← top (0x33 over 8M, 0x44 at 20M), top naming base by absolute path.</summary>
    private async Task CreateLiveChainAsync(string compat, int clusterSize)
    {
        Directory.CreateDirectory(_scratch.File("live"));
        var options = $"compat={compat},cluster_size={clusterSize}";
        await CreateQcow2Async(Live("base.qcow2"), "64M", options: options);
        await WritePatternAsync(Live("base.qcow2"), 0x11, 0, MiB);
        await WritePatternAsync(Live("base.qcow2"), 0x22, 8 * MiB, 2 * MiB);
        await CreateQcow2Async(Live("base.fib-20261127T020000Z.qcow2"), "64M", backing: Live("base.qcow2"), options: options);
        await WritePatternAsync(Live("base.fib-20261127T020000Z.qcow2"), 0x33, 8 * MiB, MiB);
        await WritePatternAsync(Live("base.fib-20261127T020000Z.qcow2"), 0x44, 20 * MiB, 64 << 10);
    }

    [Theory]
    [InlineData("1.1", 65536)]
    [InlineData("0.10", 65536)]
    [InlineData("1.1", 512)]
    public async Task A_copied_chain_with_a_rewritten_relative_backing_reads_as_the_live_chain(string compat, int clusterSize)
    {
        await CreateLiveChainAsync(compat, clusterSize);
        var top = Live("base.fib-20261127T020000Z.qcow2");
        var topHashBefore = await Sha256SumAsync(top);

        await _copier.CopyIntoRepositoryAsync(Live("base.qcow2"), Repo("000-full.qcow2"), new CopyOptions(), CancellationToken.None);
        var result = await _copier.CopyIntoRepositoryAsync(top, Repo("001-20261127T020000Z.qcow2"),
            new CopyOptions { RewriteBacking = new Qcow2BackingRewrite("000-full.qcow2") }, CancellationToken.None);

        var copy = Repo("001-20261127T020000Z.qcow2");
        var info = await QemuImg.InfoAsync(copy, CancellationToken.None);
        Assert.Equal("000-full.qcow2", info.BackingFileName);
        Assert.Equal(Repo("000-full.qcow2"), info.FullBackingFileName);
        Assert.Equal("qcow2", info.BackingFormat);
        var check = await QemuImg.CheckAsync(copy, CancellationToken.None);
        Assert.True(check.Clean, check.Output);
        Assert.True(await QemuImg.CompareAsync(top, copy, CancellationToken.None));
        Assert.True(await ReadsPatternAsync(copy, 0x11, 0, MiB));
        Assert.True(await ReadsPatternAsync(copy, 0x22, 9 * MiB, MiB));
        Assert.True(await ReadsPatternAsync(copy, 0x33, 8 * MiB, MiB));
        Assert.True(await ReadsPatternAsync(copy, 0x44, 20 * MiB, 64 << 10));
        Assert.True(await ReadsPatternAsync(copy, 0x00, 30 * MiB, MiB));
        Assert.Equal(await Sha256SumAsync(copy), result.Sha256);
        Assert.Equal(topHashBefore, await Sha256SumAsync(top)); // the live overlay is only read
    }

    [Fact]
    public async Task A_rewrite_without_backing_gives_a_standalone_copy_of_only_the_overlays_own_data()
    {
        await CreateLiveChainAsync("1.1", 65536);

        await _copier.CopyIntoRepositoryAsync(Live("base.fib-20261127T020000Z.qcow2"), Repo("alone.qcow2"),
            new CopyOptions { RewriteBacking = new Qcow2BackingRewrite(null) }, CancellationToken.None);

        var info = await QemuImg.InfoAsync(Repo("alone.qcow2"), CancellationToken.None);
        Assert.Null(info.BackingFileName);
        Assert.Null(info.BackingFormat);
        var check = await QemuImg.CheckAsync(Repo("alone.qcow2"), CancellationToken.None);
        Assert.True(check.Clean, check.Output);
        Assert.True(await ReadsPatternAsync(Repo("alone.qcow2"), 0x33, 8 * MiB, MiB));
        Assert.True(await ReadsPatternAsync(Repo("alone.qcow2"), 0x44, 20 * MiB, 64 << 10));
        Assert.True(await ReadsPatternAsync(Repo("alone.qcow2"), 0x00, 0, MiB)); // base data is not there
    }

    [Fact]
    public async Task A_backing_name_too_long_for_the_first_cluster_fails_before_anything_is_written()
    {
        await CreateLiveChainAsync("1.1", 512);

        var error = await Assert.ThrowsAsync<Qcow2HeaderFullException>(() => _copier.CopyIntoRepositoryAsync(
            Live("base.fib-20261127T020000Z.qcow2"), Repo("001-x.qcow2"),
            new CopyOptions { RewriteBacking = new Qcow2BackingRewrite(new string('b', 450) + ".qcow2") }, CancellationToken.None));

        Assert.Contains(Live("base.fib-20261127T020000Z.qcow2"), error.Message);
        // It says the truth (no copy-and-rebase fallback exists) and what to do.
        Assert.Contains("fibackup has no fallback for this, nothing was copied", error.Message);
        Assert.Contains("cluster_size=65536", error.Message);
        Assert.False(File.Exists(Repo("001-x.qcow2")));
        Assert.Empty(PartialFiles(_scratch.Path));
    }

    [Fact]
    public async Task Rewriting_the_backing_of_a_file_that_is_not_qcow2_is_an_error_naming_it()
    {
        var source = _scratch.File("disk.raw");
        CreateSparseFile(source, MiB, (0, 65536));

        var error = await Assert.ThrowsAsync<FibackupException>(() => _copier.CopyIntoRepositoryAsync(source, Repo("x.qcow2"),
            new CopyOptions { RewriteBacking = new Qcow2BackingRewrite("000-full.qcow2") }, CancellationToken.None));

        Assert.Equal($"cannot rewrite the backing file of {source}: not a qcow2 image (no QFI\\xfb magic at offset 0)", error.Message);
        Assert.False(File.Exists(Repo("x.qcow2")));
    }
}
