using FiBackup.Engine.Backup;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Restore;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Sources.Local;
using FiBackup.Testing.Repositories;

namespace FiBackup.Engine.Tests.Restore;

/// <summary>A restore to a host whose images are not this machine's files: staged in the repository, uploaded, staging removed.</summary>
public sealed class StagedRestoreTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task Each_file_is_uploaded_to_the_host_directory_and_the_staging_directory_is_removed()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        for (var i = 0; i < 3; i++) await domain.BackupAsync(Day1.AddDays(i));
        var point = domain.Points[2];
        var host = new UploadingHost();
        var target = _repository.Scratch("host-images");

        var disks = await new StagedRestore(host).MaterializeAsync(domain.Layout,
            new RestorePlan(point, null, target, "web-1-copy", false, new RestoreMode.InPlace()), null, CancellationToken.None);

        Assert.Equal(6, host.Uploaded.Count);
        foreach (var disk in disks)
        {
            Assert.All(disk.Files, f => Assert.Equal(target, Path.GetDirectoryName(f)));
            Assert.True(await QemuTools.SameContentAsync(disk.Image, domain.ExpectedImage(point.Id, disk.Target)));
        }
        Assert.Empty(Directory.GetDirectories(domain.Layout.Directory, StagedRestore.StagingPrefix + "*"));
    }

    [Fact]
    public async Task A_failed_upload_removes_what_was_uploaded_and_the_staging_directory()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        for (var i = 0; i < 2; i++) await domain.BackupAsync(Day1.AddDays(i));
        var host = new UploadingHost { FailAfter = 2 };
        var target = _repository.Scratch("host-images");

        await Assert.ThrowsAsync<IOException>(() => new StagedRestore(host).MaterializeAsync(domain.Layout,
            new RestorePlan(domain.Points[1], null, target, "web-1-copy", false, new RestoreMode.InPlace()), null, CancellationToken.None));

        Assert.Empty(Directory.GetFiles(target));
        Assert.Empty(Directory.GetDirectories(domain.Layout.Directory, StagedRestore.StagingPrefix + "*"));
    }

    [Fact]
    public async Task An_existing_file_on_the_host_is_refused_before_anything_is_staged()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        await domain.BackupAsync(Day1);
        var host = new UploadingHost();
        var target = _repository.Scratch("host-images");
        await File.WriteAllTextAsync(Path.Combine(target, "web-1-copy-vdb-000-full.qcow2"), "someone's");

        await Assert.ThrowsAsync<InvalidInputException>(() => new StagedRestore(host).MaterializeAsync(domain.Layout,
            new RestorePlan(domain.Points[0], null, target, "web-1-copy", false, new RestoreMode.InPlace()), null, CancellationToken.None));

        Assert.Empty(host.Uploaded);
        Assert.Empty(Directory.GetDirectories(domain.Layout.Directory, StagedRestore.StagingPrefix + "*"));
    }

    /// <summary>A "remote" host whose images are files in a scratch directory, reached only through uploads.</summary>
    private sealed class UploadingHost : IHostImages
    {
        private readonly LocalHostImages local = new();
        public List<string> Uploaded { get; } = [];
        public int FailAfter { get; init; } = int.MaxValue;
        public bool CanEditOffline => false;
        public bool IsLocal => false;

        public Task<IReadOnlyList<ChainImage>> ReadChainAsync(string image, CancellationToken ct) => local.ReadChainAsync(image, ct);
        public Task<bool> ExistsAsync(string image, CancellationToken ct) => local.ExistsAsync(image, ct);
        public Task<CopyResult> CopyIntoRepositoryAsync(string image, string destination, CopyOptions options, CancellationToken ct) => throw new NotSupportedException();
        public Task FlattenIntoAsync(string image, string partialDestination, CancellationToken ct) => throw new NotSupportedException();
        public Task DeleteOverlayAsync(string overlay, CancellationToken ct) => local.DeleteOverlayAsync(overlay, ct);
        public Task CommitOfflineAsync(string top, string baseImage, CancellationToken ct) => throw new NotSupportedException();
        public Task RebaseOfflineAsync(string image, string newBacking, string backingFormat, bool safe, CancellationToken ct) => throw new NotSupportedException();
        public bool NeedsOverlayDirectory(string ownImage) => local.NeedsOverlayDirectory(ownImage);
        public bool IsBlockDevice(string path) => local.IsBlockDevice(path);

        public Task UploadAsync(string localFile, string hostPath, CancellationToken ct)
        {
            if (Uploaded.Count == FailAfter) throw new IOException("injected upload failure");
            File.Copy(localFile, hostPath, overwrite: false);
            Uploaded.Add(hostPath);
            return Task.CompletedTask;
        }
    }
}
