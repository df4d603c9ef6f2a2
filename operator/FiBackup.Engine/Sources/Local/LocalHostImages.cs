using FiBackup.Engine.Backup;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Sources.Local;

/// <summary>
/// The host's images when they are this machine's files (qemu:///system on the hypervisor itself):
/// qemu-img for chains and offline edits, the repository's sparse copier for copies. Reads use
/// force-share, because QEMU holds the images of a running domain; offline edits take qemu-img's
/// image locks, so a domain started meanwhile fails to start rather than corrupt.
/// </summary>
public sealed class LocalHostImages : IHostImages
{
    public bool CanEditOffline => true;

    public bool IsLocal => true;

    public bool NeedsOverlayDirectory(string ownImage) =>
        LinuxFile.IsBlockDevice(ownImage) || LinuxFile.MayNotWrite(Path.GetDirectoryName(ownImage) ?? "/");

    public bool IsBlockDevice(string path) => LinuxFile.IsBlockDevice(path);

    public async Task<IReadOnlyList<ChainImage>> ReadChainAsync(string image, CancellationToken ct)
    {
        if (!File.Exists(image) && !IsBlockDevice(image))
            throw new FibackupException(ErrorReason.InvalidSpec,
                $"disk image {image} is not readable from this machine; run fibackup on the host that runs the domain");
        var infos = await QemuImg.BackingChainAsync(image, ct);
        var chain = new List<ChainImage>(infos.Count);
        var path = image;
        foreach (var info in infos)
        {
            chain.Add(new ChainImage(path, info.Format, info.VirtualSize, info.ActualSize, info.DataFile));
            if (info.FullBackingFileName is null) break;
            path = info.FullBackingFileName;
        }
        return chain;
    }

    public Task<bool> ExistsAsync(string image, CancellationToken ct) => Task.FromResult(Path.Exists(image));

    public Task<CopyResult> CopyIntoRepositoryAsync(string image, string destination, CopyOptions options, CancellationToken ct) =>
        new SparseFileCopier().CopyIntoRepositoryAsync(image, destination, options, ct);

    public async Task FlattenIntoAsync(string image, string partialDestination, CancellationToken ct)
    {
        var freeAtStart = FreeSpace.TryAvailableBytes(Path.GetDirectoryName(partialDestination)!);
        try
        {
            await QemuImg.ConvertAsync(image, partialDestination, ct);
        }
        catch (ExternalToolException e) when (EngineBoundary.IsDiskFull(e.StandardError))
        {
            var needed = (await ReadChainAsync(image, CancellationToken.None)).Sum(c => c.ActualSize);
            throw new RepositoryFullException(partialDestination, needed, freeAtStart, e);
        }
    }

    public Task DeleteOverlayAsync(string overlay, CancellationToken ct)
    {
        File.Delete(overlay);
        return Task.CompletedTask;
    }

    public Task CommitOfflineAsync(string top, string baseImage, CancellationToken ct) =>
        QemuImg.CommitAsync(top, ct, baseImage: baseImage);

    public Task RebaseOfflineAsync(string image, string newBacking, string backingFormat, bool safe, CancellationToken ct) =>
        QemuImg.RebaseAsync(image, newBacking, ct, unsafeHeaderOnly: !safe, backingFormat: backingFormat);

    public Task UploadAsync(string localFile, string hostPath, CancellationToken ct) =>
        throw new InvalidOperationException($"the local host's images are this machine's files: a restore writes {hostPath} in place instead of uploading {localFile}");

    public async Task<bool> CreateOverlayAsync(string overlay, string backing, string backingFormat, CancellationToken ct)
    {
        // qemu-img create truncates an existing file; the planner refused such a name, this closes the gap since.
        if (Path.Exists(overlay))
            throw new FibackupException(ErrorReason.FileConflict, $"overlay {overlay} already exists; fibackup never overwrites a file");
        await QemuImg.CreateOverlayAsync(overlay, backing, backingFormat, ct);
        // The mode libvirt gives the overlays it makes itself; the snapshot then gives the file to QEMU's user and label.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(overlay, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return true;
    }

    /// <summary>Reads the image's first data into the page cache while the backup gets to its copy (<see cref="PageCachePrefetch"/>).</summary>
    public void PrefetchForCopy(string image)
    {
        if (!IsBlockDevice(image)) PageCachePrefetch.Start(image);
    }
}
