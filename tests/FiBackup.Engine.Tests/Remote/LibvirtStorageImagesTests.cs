using System.Security;
using System.Security.Cryptography;
using FiBackup.Engine.Sources.Local;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Engine.Tests.Copy;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Ssh;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Remote;

/// <summary>The remote images implementation through a real sshd on loopback and the real libvirtd.</summary>
public sealed class LibvirtStorageImagesTests(LibvirtFixture libvirt, RemoteLibvirtFixture remote)
    : IClassFixture<LibvirtFixture>, IClassFixture<RemoteLibvirtFixture>, IDisposable
{
    private const long MiBl = MiB;
    private readonly ScratchDirectory scratch = new();

    private LibvirtStorageImages NewImages(LibvirtConnection? connection = null) => new(connection ?? remote.Connection, "hv-test");

    [Fact]
    public async Task The_chain_read_from_volume_xml_matches_what_qemu_img_reads_from_the_headers()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 32 * MiBl, start: false,
            options: new TestDomainOptions { DisksWithBackingChain = ["vda"] });
        var top = vm.PathIn("vda.fib-1.qcow2");
        await CreateQcow2Async(top, "", backing: vm.Disk("vda").Path);
        using var images = NewImages();

        var chain = await images.ReadChainAsync(top, CancellationToken.None);
        var expected = await new LocalHostImages().ReadChainAsync(top, CancellationToken.None);

        Assert.Equal(expected.Select(c => (c.Path, c.Format, c.VirtualSize, c.DataFile)),
            chain.Select(c => (c.Path, c.Format, c.VirtualSize, c.DataFile)));
        Assert.Equal(3, chain.Count);
    }

    [Fact]
    public async Task Reading_the_chain_of_a_missing_image_fails_as_invalid_spec_naming_it()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        using var images = NewImages();

        var error = await Assert.ThrowsAsync<FibackupException>(() => images.ReadChainAsync(vm.PathIn("nope.qcow2"), CancellationToken.None));

        Assert.Equal(ErrorReason.InvalidSpec, error.Reason);
        Assert.Contains(vm.PathIn("nope.qcow2"), error.Message);
        Assert.False(await images.ExistsAsync(vm.PathIn("nope.qcow2"), CancellationToken.None));
        Assert.False(await images.ExistsAsync("/var/tmp/fibackup-tests/no-such-dir-" + Guid.NewGuid().ToString("N") + "/x.qcow2", CancellationToken.None));
    }

    [Fact]
    public async Task A_block_device_counts_as_absent_and_its_chain_is_refused_saying_why()
    {
        using var images = NewImages();

        Assert.False(await images.ExistsAsync("/dev/null", CancellationToken.None));
        var error = await Assert.ThrowsAsync<FibackupException>(() => images.ReadChainAsync("/dev/null", CancellationToken.None));

        Assert.Equal(ErrorReason.InvalidSpec, error.Reason);
        Assert.Contains("block device", error.Message);
    }

    [Fact]
    public async Task An_external_data_file_is_reported_in_the_chain()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var image = vm.PathIn("split.qcow2");
        await CreateQcow2Async(image, "16M", options: $"data_file={vm.PathIn("split.data")}");
        using var images = NewImages();

        var chain = await images.ReadChainAsync(image, CancellationToken.None);

        Assert.Equal(vm.PathIn("split.data"), Assert.Single(chain).DataFile);
    }

    [Fact]
    public async Task A_copy_with_a_backing_rewrite_is_byte_identical_to_the_local_copiers_and_stays_sparse()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 64 * MiBl, start: false);
        var overlay = vm.PathIn("vda.fib-1.qcow2");
        await CreateQcow2Async(overlay, "", backing: vm.Disk("vda").Path);
        await WritePatternAsync(overlay, 0x3c, 5 * MiBl, 3 * MiBl);
        await WritePatternAsync(overlay, 0x4d, 40 * MiBl, 1 * MiBl);
        var options = new CopyOptions { RewriteBacking = new Qcow2BackingRewrite("000-full.qcow2") };
        var local = scratch.File("local/001.qcow2");
        var viaSsh = scratch.File("remote/001.qcow2");
        var expected = await new SparseFileCopier().CopyIntoRepositoryAsync(overlay, local, options, CancellationToken.None);
        using var images = NewImages();

        var result = await images.CopyIntoRepositoryAsync(overlay, viaSsh, options, CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(viaSsh));
        Assert.Equal(expected.FileLength, result.FileLength);
        Assert.Equal(await Sha256SumAsync(viaSsh), result.Sha256);
        Assert.Equal(expected.Sha256, result.Sha256);
        Assert.Equal("000-full.qcow2", await QemuImgBackingAsync(viaSsh));
        Assert.InRange(result.DataBytes, 4 * MiBl, 6 * MiBl);
        Assert.True(await AllocatedBytesAsync(viaSsh) < 6 * MiBl, "the holes of the overlay were written into the copy");
        Assert.Empty(PartialFiles(Path.GetDirectoryName(viaSsh)!));
    }

    [Fact]
    public async Task A_copy_without_rewrite_of_a_raw_file_reproduces_it_and_hashes_holes_as_zeros()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var raw = vm.PathIn("disk.raw");
        CreateSparseFile(raw, 48 * MiBl, (0, 2 * MiB), (20 * MiBl, 3 * MiB));
        var destination = scratch.File("repo/000-full.raw");
        using var images = NewImages();

        var result = await images.CopyIntoRepositoryAsync(raw, destination, new CopyOptions(), CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(raw), await File.ReadAllBytesAsync(destination));
        Assert.Equal(48 * MiBl, result.FileLength);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(raw))), result.Sha256);
        Assert.Equal(5 * MiBl, result.DataBytes);
    }

    [Fact]
    public async Task A_directory_no_pool_covers_gets_a_transient_pool_that_is_destroyed_with_the_images()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);
        var poolName = HostVolumes.TransientPoolName(vm.Directory);

        using (var images = NewImages())
        {
            Assert.True(await images.ExistsAsync(vm.Disk("vda").Path, CancellationToken.None));
            using var during = libvirt.Connection.TryLookupStoragePool(poolName);
            Assert.NotNull(during);
            Assert.False(during.IsPersistent);
        }

        using var after = libvirt.Connection.TryLookupStoragePool(poolName);
        Assert.Null(after);
    }

    [Fact]
    public async Task A_pool_someone_else_made_is_used_and_left_running()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);
        var name = "fibt-pool-" + Guid.NewGuid().ToString("N")[..8];
        using var theirs = libvirt.Connection.CreateTransientPool(
            $"<pool type='dir'><name>{name}</name><target><path>{SecurityElement.Escape(vm.Directory)}</path></target></pool>");
        try
        {
            using (var images = NewImages())
                Assert.Equal(64 * MiBl, (await images.ReadChainAsync(vm.Disk("vda").Path, CancellationToken.None))[0].VirtualSize);

            Assert.True(theirs.IsActive);
            using var ours = libvirt.Connection.TryLookupStoragePool(HostVolumes.TransientPoolName(vm.Directory));
            Assert.Null(ours);
        }
        finally
        {
            theirs.Destroy();
        }
    }

    [Fact]
    public async Task A_file_made_after_the_pool_was_scanned_is_found()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);
        using var images = NewImages();
        Assert.True(await images.ExistsAsync(vm.Disk("vda").Path, CancellationToken.None));
        var overlay = vm.PathIn("vda.fib-2.qcow2");
        await CreateQcow2Async(overlay, "", backing: vm.Disk("vda").Path);

        var chain = await images.ReadChainAsync(overlay, CancellationToken.None);

        Assert.Equal([overlay, vm.Disk("vda").Path], chain.Select(c => c.Path));
    }

    [Fact]
    public async Task Flattening_reads_the_whole_chain_into_one_standalone_qcow2()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 32 * MiBl, start: false,
            options: new TestDomainOptions { DisksWithBackingChain = ["vda"] });
        await WritePatternAsync(vm.Disk("vda").TemplatePath!, 0x11, 0, 4 * MiBl);
        await WritePatternAsync(vm.Disk("vda").Path, 0x22, 2 * MiBl, 4 * MiBl);
        var partial = scratch.File("repo/000-full.qcow2.partial");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        using var images = NewImages();

        await images.FlattenIntoAsync(vm.Disk("vda").Path, partial, CancellationToken.None);

        Assert.Null(await QemuImgBackingAsync(partial));
        Assert.True(await QemuImg.CompareAsync(vm.Disk("vda").Path, partial, CancellationToken.None));
        Assert.Equal([Path.GetFileName(partial)], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(partial)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Deleting_an_overlay_removes_it_and_deleting_an_absent_one_is_fine()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);
        var overlay = vm.PathIn("vda.fib-3.qcow2");
        await CreateQcow2Async(overlay, "", backing: vm.Disk("vda").Path);
        using var images = NewImages();

        await images.DeleteOverlayAsync(overlay, CancellationToken.None);
        await images.DeleteOverlayAsync(overlay, CancellationToken.None);

        Assert.False(File.Exists(overlay));
        Assert.True(File.Exists(vm.Disk("vda").Path));
    }

    [Fact]
    public async Task An_upload_makes_the_directory_and_a_byte_identical_sparse_file_and_never_overwrites()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var local = scratch.File("restored.qcow2");
        await CreateQcow2Async(local, "64M");
        await WritePatternAsync(local, 0x5e, 7 * MiBl, 2 * MiBl);
        var target = Path.Combine(vm.Directory, "restored", "web-vda.qcow2");
        using var images = NewImages();

        await images.UploadAsync(local, target, CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(target));
        Assert.True(await AllocatedBytesAsync(target) < 4 * MiBl, "the upload wrote the holes");
        Assert.True(await ReadsPatternAsync(target, 0x5e, 7 * MiBl, 2 * MiBl));
        var again = await Assert.ThrowsAsync<FibackupException>(() => images.UploadAsync(local, target, CancellationToken.None));
        Assert.Equal(ErrorReason.FileConflict, again.Reason);
        Assert.Contains(target, again.Message);
    }

    [Fact]
    public async Task Offline_edits_are_refused_saying_why()
    {
        using var images = NewImages();

        Assert.False(images.CanEditOffline);
        Assert.False(images.IsLocal);
        var commit = await Assert.ThrowsAsync<InvalidOperationException>(() => images.CommitOfflineAsync("/a/top.qcow2", "/a/base.qcow2", CancellationToken.None));
        Assert.Contains("no offline commit", commit.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => images.RebaseOfflineAsync("/a/top.qcow2", "/a/base.qcow2", "qcow2", safe: true, CancellationToken.None));
    }

    [Fact]
    public async Task A_connection_cut_mid_copy_fails_as_libvirt_unreachable_and_leaves_nothing()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var raw = vm.PathIn("big.raw");
        CreateSparseFile(raw, 64 * MiBl, (0, 64 * MiB));
        var destination = scratch.File("repo/000-full.raw");
        // An sshd of its own: killing its connections must not cut the fixture's shared one.
        using var sshd = await LoopbackSshd.StartAsync();
        using var connection = LibvirtConnection.Open(sshd.LibvirtUri);
        using var images = NewImages(connection);
        var killed = 0;
        var options = new CopyOptions
        {
            BandwidthBytesPerSecond = 16 * MiBl,
            Progress = new InlineProgress<CopyProgress>(p =>
            {
                if (p.BytesDone > 4 * MiBl && killed == 0) killed = sshd.KillConnections();
            }),
        };

        var error = await Assert.ThrowsAsync<FibackupException>(() => images.CopyIntoRepositoryAsync(raw, destination, options, CancellationToken.None));

        Assert.True(killed > 0);
        Assert.True(error.Reason == ErrorReason.LibvirtUnreachable,
            $"{error.Reason}: {error.Message} ({(error.InnerException as LibvirtException)?.Code} in {(error.InnerException as LibvirtException)?.ErrorDomain})");
        Assert.True(error.Retryable);
        Assert.DoesNotContain("\n", error.Message);
        Assert.DoesNotContain(sshd.ClientKeyPath, error.Message);
        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(Path.GetDirectoryName(destination)!));

        // The transient pool outlived the dropped connection; the next run adopts and destroys it.
        var poolName = HostVolumes.TransientPoolName(vm.Directory);
        using (var left = libvirt.Connection.TryLookupStoragePool(poolName)) Assert.NotNull(left);
        using (var next = NewImages()) Assert.True(await next.ExistsAsync(raw, CancellationToken.None));
        using (var gone = libvirt.Connection.TryLookupStoragePool(poolName)) Assert.Null(gone);
    }

    [Fact]
    public async Task A_cancelled_copy_leaves_nothing()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var raw = vm.PathIn("big.raw");
        CreateSparseFile(raw, 32 * MiBl, (0, 32 * MiB));
        var destination = scratch.File("repo/000-full.raw");
        using var images = NewImages();
        using var cancel = new CancellationTokenSource();
        var options = new CopyOptions
        {
            BandwidthBytesPerSecond = 8 * MiBl,
            Progress = new InlineProgress<CopyProgress>(p => { if (p.BytesDone > 2 * MiBl) cancel.Cancel(); }),
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => images.CopyIntoRepositoryAsync(raw, destination, options, cancel.Token));

        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(Path.GetDirectoryName(destination)!));
        Assert.True(await images.ExistsAsync(raw, CancellationToken.None), "the connection is unusable after a cancelled download");
    }

    [Fact]
    public async Task A_bandwidth_limit_holds_the_copy_to_its_rate()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var raw = vm.PathIn("data.raw");
        CreateSparseFile(raw, 12 * MiBl, (0, 12 * MiB));
        using var images = NewImages();
        var started = DateTime.UtcNow;

        await images.CopyIntoRepositoryAsync(raw, scratch.File("repo/x.raw"), new CopyOptions { BandwidthBytesPerSecond = 8 * MiBl }, CancellationToken.None);

        // 12 MiB at 8 MiB/s with a 0.1 s burst: at least ~1.4 s.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.3), $"took {(DateTime.UtcNow - started).TotalSeconds:F2} s");
    }

    public void Dispose() => scratch.Dispose();

    private static async Task<string?> QemuImgBackingAsync(string image) => (await QemuImg.InfoAsync(image, CancellationToken.None)).BackingFileName;
}

/// <summary>A repository that fills up: a small tmpfs mounted for the test (the suite runs as root).</summary>
public sealed class LibvirtStorageImagesDiskFullTests(LibvirtFixture libvirt, RemoteLibvirtFixture remote)
    : IClassFixture<LibvirtFixture>, IClassFixture<RemoteLibvirtFixture>, IAsyncLifetime
{
    private readonly ScratchDirectory scratch = new();
    private string Repository => scratch.File("repo");
    private bool mounted;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Repository);
        await ExternalTool.RunAsync("mount", ["-t", "tmpfs", "-o", "size=8m", "fibackup-test", Repository], CancellationToken.None);
        mounted = true;
    }

    public async Task DisposeAsync()
    {
        if (mounted) await ExternalTool.RunAsync("umount", [Repository], CancellationToken.None);
        scratch.Dispose();
    }

    [Fact]
    public async Task A_full_repository_gives_RepositoryFullException_and_leaves_nothing()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var raw = vm.PathIn("disk.raw");
        CreateSparseFile(raw, 32 * (long)MiB, (0, 24 * MiB));
        var destination = Path.Combine(Repository, "hv1", "web-1", "chains", "c", "vda", "000-full.raw");
        using var images = new LibvirtStorageImages(remote.Connection, "hv-test");

        var error = await Assert.ThrowsAsync<RepositoryFullException>(() =>
            images.CopyIntoRepositoryAsync(raw, destination, new CopyOptions(), CancellationToken.None));

        Assert.StartsWith($"the repository is full: no space left to write {destination}", error.Message);
        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(Path.GetDirectoryName(destination)!));
    }
    /// <summary>
    /// A flatten downloads the chain beside the partial file, then qemu-img converts it: 10 MiB of
    /// data fills the 8 MiB repository while downloading, 5 MiB only while converting.
    /// </summary>
    [Theory]
    [InlineData(10)]
    [InlineData(5)]
    public async Task Flattening_into_a_full_repository_gives_RepositoryFullException_and_leaves_nothing(int dataMiB)
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var baseImage = vm.PathIn("base.qcow2");
        var top = vm.PathIn("top.qcow2");
        await CreateQcow2Async(baseImage, "32M");
        await WritePatternAsync(baseImage, 0x11, 0, (dataMiB - 2) * (long)MiB);
        await CreateQcow2Async(top, "", backing: baseImage);
        await WritePatternAsync(top, 0x22, 16 * (long)MiB, 2 * (long)MiB);
        var destination = Path.Combine(Repository, "hv1", "web-1", "chains", "c", "vda", "000-full.qcow2");
        using var images = new LibvirtStorageImages(remote.Connection, "hv-test");

        var error = await Assert.ThrowsAsync<RepositoryFullException>(() =>
            new RepositoryFileWriter(destination).WriteByToolAsync(dataMiB * (long)MiB,
                (partial, token) => images.FlattenIntoAsync(top, partial, token), CancellationToken.None));

        Assert.Equal(ErrorReason.RepositoryFull, error.Reason);
        Assert.StartsWith($"the repository is full: no space left to write {destination}", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(destination)!));
    }
}
