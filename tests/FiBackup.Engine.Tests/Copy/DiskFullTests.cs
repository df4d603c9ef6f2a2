using FiBackup.Engine.Copy;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources.Local;
using FiBackup.Engine.Tools;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Copy;

/// <summary>A real full filesystem: an 8 MiB tmpfs mounted for the test (the suite runs as root).</summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private readonly ScratchDirectory _scratch = new();
    private string Repository => _scratch.File("repo");
    private bool _mounted;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Repository);
        // No skipping: a machine where this cannot mount must fail the test, not hide it.
        await ExternalTool.RunAsync("mount", ["-t", "tmpfs", "-o", "size=8m", "fibackup-test", Repository],
            CancellationToken.None);
        _mounted = true;
    }

    public async Task DisposeAsync()
    {
        if (_mounted) await ExternalTool.RunAsync("umount", [Repository], CancellationToken.None);
        _scratch.Dispose();
    }

    [Fact]
    public async Task A_full_repository_gives_an_error_naming_the_file_and_leaves_nothing_behind()
    {
        var source = _scratch.File("disk.raw");
        CreateSparseFile(source, 64L * MiB, (0, 24 * MiB), (40L * MiB, 8 * MiB));
        var destination = Path.Combine(Repository, "hv1", "web-1", "chains", "c", "vda", "000-full.qcow2");

        var error = await Assert.ThrowsAsync<RepositoryFullException>(() =>
            new SparseFileCopier().CopyIntoRepositoryAsync(source, destination, new CopyOptions(), CancellationToken.None));

        Assert.StartsWith($"the repository is full: no space left to write {destination}", error.Message);
        Assert.Contains("needs up to 32 MiB", error.Message);
        Assert.Matches(@"[0-9.]+ (KiB|MiB) were free when it started", error.Message);
        Assert.Equal(32L * MiB, error.BytesNeeded);
        Assert.InRange(error.BytesAvailable!.Value, 1, 8L * MiB);
        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(Repository));
    }

    [Fact]
    public async Task A_flatten_into_a_full_repository_gives_an_error_naming_the_file_and_leaves_nothing_behind()
    {
        var baseImage = _scratch.File("base.qcow2");
        var top = _scratch.File("top.qcow2");
        await CreateQcow2Async(baseImage, "32M");
        await WritePatternAsync(baseImage, 0x11, 0, 8 * MiB);
        await CreateQcow2Async(top, "", backing: baseImage);
        await WritePatternAsync(top, 0x22, 16 * MiB, 2 * MiB);
        var destination = Path.Combine(Repository, "hv1", "web-1", "chains", "c", "vda", "000-full.qcow2");

        var error = await Assert.ThrowsAsync<RepositoryFullException>(() =>
            new RepositoryFileWriter(destination).WriteByToolAsync(10L * MiB,
                (partial, token) => new LocalHostImages().FlattenIntoAsync(top, partial, token), CancellationToken.None));

        Assert.StartsWith($"the repository is full: no space left to write {destination}", error.Message);
        Assert.Matches(@"[0-9.]+ (KiB|MiB) were free when it started", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(destination)!));
    }
}
