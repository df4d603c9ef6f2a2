using System.Xml.Linq;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// The images of a host reached over a remote libvirt connection (qemu+ssh://, qemu+tls://), touched
/// only through libvirt's storage API on that connection: chains from the volumes' XML, bytes
/// through sparse volume streams, deletion with virStorageVolDelete, restores as new volumes. Nothing
/// here opens a host path on this machine; repository files are local. Every libvirt failure
/// leaves through <see cref="EngineBoundary"/> (a dropped connection is LibvirtUnreachable, retryable).
/// </summary>
public sealed class LibvirtStorageImages : IHostImages, IDisposable
{
    /// <summary>Deeper chains than this are a loop in the headers, not a real disk.</summary>
    private const int MaxChainLength = 256;

    private readonly HostVolumes volumes;
    private readonly string host;

    /// <param name="host">How messages name the host (its name, never the URI with its parameters).</param>
    public LibvirtStorageImages(LibvirtConnection connection, string host)
    {
        this.host = host;
        volumes = new HostVolumes(connection, host);
    }

    /// <summary>libvirt has no offline commit or rebase of volumes: offline consolidation waits for a run in which the domain runs.</summary>
    public bool CanEditOffline => false;

    public bool IsLocal => false;

    /// <summary>
    /// Never: libvirtd writes the overlays on the host, beside their images, whatever this process may
    /// write here; block-device disks are refused over a remote connection (<see cref="HostVolumes"/>).
    /// </summary>
    public bool NeedsOverlayDirectory(string ownImage) => false;

    public bool IsBlockDevice(string path) => HostVolumes.IsBlockDevicePath(path);

    public Task<IReadOnlyList<ChainImage>> ReadChainAsync(string image, CancellationToken ct) =>
        EngineBoundary.RunAsync($"reading the backing chain of {image} on {host}", ct, async () =>
        {
            var chain = new List<ChainImage>();
            for (var path = image; path is not null;)
            {
                if (chain.Count == MaxChainLength || chain.Any(c => c.Path == path))
                    throw new FibackupException(ErrorReason.InvalidSpec, $"the backing chain of {image} on {host} loops or is deeper than {MaxChainLength} images (at {path})");
                using var volume = volumes.TryOpen(path)
                    ?? throw new FibackupException(ErrorReason.InvalidSpec,
                        chain.Count == 0 ? $"disk image {image} does not exist on {host}" : $"backing image {path} of {chain[^1].Path} does not exist on {host}");
                var description = VolumeDescription.Parse(volume.GetXml());
                var dataFile = description.Format == "qcow2"
                    ? VolumeHeader.ExternalDataFile(await VolumeHeader.ReadFirstClusterAsync(volume, description.Physical, path, ct))
                    : null;
                chain.Add(new ChainImage(path, description.Format, description.Capacity, description.Allocation, dataFile));
                path = description.BackingPath is { } backing ? Path.GetFullPath(backing, Path.GetDirectoryName(path)!) : null;
            }
            return (IReadOnlyList<ChainImage>)chain;
        });

    /// <remarks>
    /// A block device (/dev/…) is never a volume fibackup can reach remotely: it counts as absent,
    /// so a domain with such a disk does not stop the images-in-use listing, while
    /// <see cref="ReadChainAsync"/> still refuses to back it up, saying why.
    /// </remarks>
    public Task<bool> ExistsAsync(string image, CancellationToken ct) =>
        EngineBoundary.RunAsync($"looking for {image} on {host}", ct, () =>
        {
            if (HostVolumes.IsBlockDevicePath(image)) return Task.FromResult(false);
            using var volume = volumes.TryOpen(image);
            return Task.FromResult(volume is not null);
        });

    public Task<CopyResult> CopyIntoRepositoryAsync(string image, string destination, CopyOptions options, CancellationToken ct) =>
        EngineBoundary.RunAsync($"copying {image} from {host}", ct, async () =>
        {
            using var volume = OpenExisting(image);
            var description = VolumeDescription.Parse(volume.GetXml());
            return await VolumeStreamCopier.CopyAsync(volume, description, image, destination, options, ct);
        });

    /// <summary>
    /// Downloads every image of the chain into a folder beside <paramref name="partialDestination"/>,
    /// points each copy's backing at the next copy (a header-only rebase of repository files), and
    /// lets qemu-img convert read the local chain into one qcow2. The folder is removed afterwards,
    /// also on failure; one a killed run left is removed when the same copy is tried again.
    /// </summary>
    public Task FlattenIntoAsync(string image, string partialDestination, CancellationToken ct) =>
        EngineBoundary.RunAsync($"copying {image} with its backing chain from {host}", ct, async () =>
        {
            var chain = await ReadChainAsync(image, ct);
            var folder = partialDestination + "-chain";
            DeleteFolder(folder);
            Directory.CreateDirectory(folder);
            var freeAtStart = FreeSpace.TryAvailableBytes(folder);
            // The chain's copies and the flattened file are both written here, into the repository.
            var needed = 2 * chain.Sum(c => c.ActualSize);
            try
            {
                var copies = new List<string>(chain.Count);
                for (var i = 0; i < chain.Count; i++)
                {
                    var copy = Path.Combine(folder, $"{i:D3}-{Path.GetFileName(chain[i].Path)}");
                    using (var volume = OpenExisting(chain[i].Path))
                        await DownloadAsync(volume, copy, needed, freeAtStart, ct);
                    copies.Add(copy);
                }
                for (var i = 0; i < copies.Count - 1; i++)
                    await QemuImg.RebaseAsync(copies[i], copies[i + 1], ct, unsafeHeaderOnly: true, backingFormat: chain[i + 1].Format);
                try
                {
                    await QemuImg.ConvertAsync(copies[0], partialDestination, ct, forceShare: false, sourceFormat: chain[0].Format);
                }
                catch (ExternalToolException e) when (EngineBoundary.IsDiskFull(e.StandardError))
                {
                    throw new RepositoryFullException(partialDestination, needed, freeAtStart, e);
                }
            }
            finally
            {
                DeleteFolder(folder);
            }
            return true;
        });

    public Task DeleteOverlayAsync(string overlay, CancellationToken ct) =>
        EngineBoundary.RunAsync($"deleting overlay {overlay} on {host}", ct, () =>
        {
            using var volume = volumes.TryOpen(overlay);
            volume?.Delete();
            return Task.FromResult(true);
        });

    public Task CommitOfflineAsync(string top, string baseImage, CancellationToken ct) =>
        throw new InvalidOperationException(
            $"cannot commit {top} into {baseImage} on {host}: libvirt offers no offline commit over a remote connection (CanEditOffline is false); consolidate while the domain runs");

    public Task RebaseOfflineAsync(string image, string newBacking, string backingFormat, bool safe, CancellationToken ct) =>
        throw new InvalidOperationException(
            $"cannot rebase {image} onto {newBacking} on {host}: libvirt offers no offline rebase over a remote connection (CanEditOffline is false); consolidate while the domain runs");

    /// <summary>
    /// Creates a raw volume of the local file's length in the pool covering the target directory
    /// (a transient pool, which also creates the directory, when none does) and uploads the file's
    /// bytes into it with the sparse flag. Format raw makes libvirt create a plain empty file
    /// instead of formatting one; the uploaded bytes (a qcow2 file) make it what it is. A volume
    /// that fails half-way is deleted again.
    /// </summary>
    public Task UploadAsync(string localFile, string hostPath, CancellationToken ct) =>
        EngineBoundary.RunAsync($"uploading {localFile} to {hostPath} on {host}", ct, async () =>
        {
            var (directory, name) = HostVolumes.Split(hostPath);
            var length = new FileInfo(localFile).Length;
            var pool = volumes.PoolForWriting(directory);
            using (var existing = pool.TryLookupVolume(name))
            {
                if (existing is not null)
                    throw new FibackupException(ErrorReason.FileConflict,
                        $"{hostPath} already exists on {host}; a restore never writes over an existing file (choose another target directory or remove it)",
                        EngineField.TargetDirectory);
            }
            var xml = new XElement("volume",
                new XElement("name", name),
                new XElement("capacity", new XAttribute("unit", "bytes"), length),
                new XElement("allocation", new XAttribute("unit", "bytes"), 0),
                new XElement("target", new XElement("format", new XAttribute("type", "raw")))).ToString(SaveOptions.DisableFormatting);
            using var volume = pool.CreateVolume(xml);
            try
            {
                await using var source = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                await volume.UploadAsync(source, (ulong)length, sparse: true, ct);
            }
            catch (Exception e)
            {
                if (TryDelete(volume)) throw;
                var failure = EngineBoundary.Wrap(e, $"uploading {localFile} to {hostPath} on {host}");
                throw new FibackupException(failure.Reason,
                    $"{failure.Message}; the half-written {hostPath} could not be removed from {host}: remove it before restoring there again",
                    failure.Field, e, failure.Retryable);
            }
            return true;
        });

    public void Dispose() => volumes.Dispose();

    private StorageVolume OpenExisting(string image) =>
        volumes.TryOpen(image) ?? throw new FibackupException(ErrorReason.CopyFailed,
            $"source image {image} does not exist on {host} (was it removed while the backup ran?)");

    /// <summary>True when the volume is gone (deleted now); false when the connection no longer allows it.</summary>
    private static bool TryDelete(StorageVolume volume)
    {
        try
        {
            volume.Delete();
            return true;
        }
        catch (LibvirtException)
        {
            return false;
        }
    }

    private static async Task DownloadAsync(StorageVolume volume, string copy, long neededBytes, long? freeAtStart, CancellationToken ct)
    {
        try
        {
            // Disposed inside the try: closing flushes what is still buffered, which can hit the full disk too.
            await using var file = new FileStream(copy, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            await volume.DownloadAsync(file, sparse: true, ct);
            file.Flush(flushToDisk: true);
        }
        catch (IOException e) when (RepositoryFullException.IsDiskFull(e))
        {
            throw new RepositoryFullException(copy, neededBytes, freeAtStart, e);
        }
    }

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
