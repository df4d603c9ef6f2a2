namespace FiBackup.Engine.Sources;

/// <summary>
/// Where virtual machines live and how their disks are frozen and folded back: a libvirt host
/// today (qemu:///system, qemu+ssh://...), KubeVirt or a dirty-bitmap mode later. The backup,
/// consolidation and restore steps only talk to this seam, never to a URI or libvirt directly.
/// </summary>
public interface IVmSource : IDisposable
{
    /// <summary>The address the user gave (e.g. qemu:///system).</summary>
    string Uri { get; }

    /// <summary>The host the VMs run on; the first level of the repository layout.</summary>
    string Host { get; }

    /// <summary>
    /// Identifies the hypervisor host whatever address reached it (for libvirt the host UUID of the
    /// capabilities XML), so qemu:///system and qemu+ssh://root@127.0.0.1/system to one machine
    /// take the same per-domain lock.
    /// </summary>
    string HypervisorId { get; }

    /// <summary>Every defined domain, running or shut off, by name (sorted), for domain selection.</summary>
    IReadOnlyList<string> ListDomainNames();

    /// <summary>The domain with that name; <see cref="Errors.InvalidInputException"/> naming it when there is none.</summary>
    IVmDomain OpenDomain(string name);

    bool DomainExists(string name);

    /// <summary>Defines (persistently) a domain from XML, as a restore does.</summary>
    IVmDomain DefineDomain(string xml);

    /// <summary>The host's disk images, through which every read, fold, delete and write of them goes.</summary>
    IHostImages Images { get; }

    /// <summary>
    /// Every image each defined domain (running or shut off) uses: every image of every disk's
    /// backing chain, read through <see cref="Images"/>. Before fibackup writes into or deletes an
    /// overlay it checks here that no other domain uses it (another VM may have been made on top of it).
    /// </summary>
    Task<IReadOnlyList<DomainImages>> ReadImagesInUseAsync(CancellationToken ct);
}

/// <summary>The images one defined domain's disks use, their whole backing chains.</summary>
public sealed record DomainImages(string Domain, IReadOnlySet<string> Images);

/// <summary>One virtual machine of a source.</summary>
public interface IVmDomain : IDisposable
{
    string Name { get; }
    Guid Uuid { get; }

    /// <summary>Asks the source now: a domain can start or stop between two calls.</summary>
    bool IsRunning { get; }

    /// <summary>The persistent definition (what a restore defines again).</summary>
    string GetInactiveXml();

    /// <summary>The disks as the domain uses them now (live definition when running).</summary>
    IReadOnlyList<DomainDisk> ReadDisks();

    /// <summary>
    /// Freezes the listed disks at one instant: each one's active image becomes read-only and the
    /// domain continues on the new, empty overlay named in <paramref name="overlays"/>. All disks
    /// or none (atomic). Disks not listed are left alone. Returns how long the switch itself took
    /// (the moment the guest's I/O waits), not counting preparation.
    /// </summary>
    Task<TimeSpan> SnapshotAsync(IReadOnlyList<OverlayRequest> overlays, bool quiesce, CancellationToken ct);

    /// <summary>Folds <paramref name="top"/> (not the active image) into <paramref name="baseImage"/> below it, on the running domain.</summary>
    Task CommitAsync(string target, string top, string baseImage, long bandwidthBytesPerSecond, CancellationToken ct);

    /// <summary>Folds the active image and everything above <paramref name="baseImage"/> into it, then pivots the domain onto it.</summary>
    Task ActiveCommitAsync(string target, string baseImage, long bandwidthBytesPerSecond, CancellationToken ct);

    /// <summary>Copies the data of every image above <paramref name="baseImage"/> into the active image, which then backs directly on it.</summary>
    Task PullAsync(string target, string baseImage, long bandwidthBytesPerSecond, CancellationToken ct);

    /// <summary>The block job running on the disk now, or null when there is none.</summary>
    DiskJobKind? ActiveBlockJob(string target);

    /// <summary>
    /// Finishes a block job a previous, interrupted run left on the disk (waits for it; pivots an
    /// active commit that is ready). Returns false when there was none.
    /// </summary>
    Task<bool> SettleBlockJobAsync(string target, CancellationToken ct);

    /// <summary>Points a disk of the (shut-off) domain's persistent definition at another image of format <paramref name="format"/>.</summary>
    void RedefineDiskSource(string target, string imagePath, string format);

    void Start(bool paused = false);

    /// <summary>
    /// Removes the (shut-off) domain's persistent definition; its disk images stay. With
    /// <paramref name="removeNvram"/> also the NVRAM file libvirt made for it.
    /// </summary>
    void Undefine(bool removeNvram);
}

/// <summary>One disk of a domain as its definition describes it.</summary>
public sealed record DomainDisk(
    string Target,
    string Device,
    string SourceType,
    string? ActivePath,
    string? Format,
    string? SnapshotMode,
    bool ReadOnly,
    bool Shareable)
{
    /// <summary>
    /// Only real writable disks with a file or block source are backed up: cdrom and floppy media,
    /// disks marked snapshot='no', read-only and shareable disks are skipped (fi-backup did the same
    /// for media; shared disks cannot be frozen consistently from one domain).
    /// </summary>
    public bool IsBackedUp =>
        Device == "disk" && SnapshotMode != "no" && !ReadOnly && !Shareable
        && ActivePath is not null && SourceType is "file" or "block";
}

/// <summary>The overlay a snapshot puts on top of one disk.</summary>
public sealed record OverlayRequest(string Target, string OverlayPath);

/// <summary>The kind of a block job on a disk (libvirt's virDomainBlockJobType).</summary>
public enum DiskJobKind { Unknown, Pull, Copy, Commit, ActiveCommit, Backup }
