using FiBackup.Engine.Backup;
using FiBackup.Engine.Copy;

namespace FiBackup.Engine.Sources;

/// <summary>
/// The disk images on the hypervisor host, as a backup, a consolidation and a restore touch them.
/// The engine reads, describes, deletes and writes the host's images only through this seam: the
/// local host does it with qemu-img and direct file access, a remote host through libvirt's storage
/// API (volume streams), so the engine never opens a host path itself. Paths are the host's paths,
/// as the domain XML names them. Repository paths (destinations, local files) are on this machine.
/// </summary>
public interface IHostImages
{
    /// <summary>
    /// True when images of a shut-off domain can be edited in place (qemu-img commit/rebase on the
    /// host's files). A remote host cannot: its offline consolidation is deferred to a run in which
    /// the domain runs (then libvirt's block jobs do it).
    /// </summary>
    bool CanEditOffline { get; }

    /// <summary>
    /// The backing chain of <paramref name="image"/>, the image itself first, its original base last.
    /// Fails with InvalidSpec naming the image when the host has no such image.
    /// </summary>
    Task<IReadOnlyList<ChainImage>> ReadChainAsync(string image, CancellationToken ct);

    Task<bool> ExistsAsync(string image, CancellationToken ct);

    /// <summary>
    /// Copies <paramref name="image"/>'s file as stored (not its chain) into the repository file
    /// <paramref name="destination"/>: sparse (holes stay holes), hashed in the same pass, optionally
    /// with its backing name rewritten (<see cref="CopyOptions.RewriteBacking"/>), partial → fsync →
    /// rename. Nothing is left at the destination on failure.
    /// </summary>
    Task<CopyResult> CopyIntoRepositoryAsync(string image, string destination, CopyOptions options, CancellationToken ct);

    /// <summary>
    /// Writes <paramref name="image"/> with its whole backing chain read through, as one standalone
    /// qcow2, into <paramref name="partialDestination"/> (a repository path the caller fsyncs, hashes
    /// and renames). For a full backup of a disk on a template or a raw disk. A repository that fills
    /// up meanwhile is a <see cref="RepositoryFullException"/> naming the file that could not be written.
    /// </summary>
    Task FlattenIntoAsync(string image, string partialDestination, CancellationToken ct);

    /// <summary>
    /// Deletes an image fibackup made: an overlay (the caller has checked with
    /// <see cref="OverlayGuard"/> that it is fibackup's and no domain uses it), or a file a failed
    /// restore uploaded (<see cref="UploadAsync"/>). Absent is not an error.
    /// </summary>
    Task DeleteOverlayAsync(string overlay, CancellationToken ct);

    /// <summary>Offline only (<see cref="CanEditOffline"/>): folds <paramref name="top"/> and what lies between into <paramref name="baseImage"/>.</summary>
    Task CommitOfflineAsync(string top, string baseImage, CancellationToken ct);

    /// <summary>
    /// Offline only: makes <paramref name="image"/> back on <paramref name="newBacking"/> (format
    /// <paramref name="backingFormat"/>). <paramref name="safe"/> copies the clusters the removed
    /// images provided (qemu-img rebase); unsafe rewrites the header only.
    /// </summary>
    Task RebaseOfflineAsync(string image, string newBacking, string backingFormat, bool safe, CancellationToken ct);

    /// <summary>
    /// Restore: puts the local file <paramref name="localFile"/> on the host at <paramref name="hostPath"/>
    /// (sparse), never over an existing file. For the local host the caller writes in place and
    /// does not call this.
    /// </summary>
    Task UploadAsync(string localFile, string hostPath, CancellationToken ct);

    /// <summary>True when the host's images are this machine's files (restore then writes straight into the target directory).</summary>
    bool IsLocal { get; }

    /// <summary>
    /// True when an overlay cannot go beside <paramref name="ownImage"/>, the disk's own image, and
    /// belongs in the overlay directory instead: a block device, or (on the local host) a directory
    /// this process may not write. Judged on the host, never from this machine's files.
    /// </summary>
    bool NeedsOverlayDirectory(string ownImage);

    /// <summary>Whether <paramref name="path"/> is a block device on the host (a redefined disk then stays type='block').</summary>
    bool IsBlockDevice(string path);

    /// <summary>
    /// Makes the overlay a snapshot is about to put on a disk whose active image is
    /// <paramref name="backing"/> (format <paramref name="backingFormat"/>), so the snapshot reuses it
    /// instead of libvirt making one: fibackup's overlays have subclusters where the host's QEMU can
    /// (<see cref="Tools.QemuImg.CreateOverlayAsync"/>). Never over an existing file. Returns false,
    /// having made nothing, on a host that leaves the overlays to libvirt.
    /// </summary>
    Task<bool> CreateOverlayAsync(string overlay, string backing, string backingFormat, CancellationToken ct) =>
        Task.FromResult(false);

    /// <summary>
    /// A hint that the copy will soon read <paramref name="image"/>: the host may start reading it
    /// ahead. Returns at once and never fails; a host that cannot use the hint ignores it.
    /// </summary>
    void PrefetchForCopy(string image) { }
}
