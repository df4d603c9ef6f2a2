namespace FiBackup.Engine.Sources;

/// <summary>One virtual machine of a source.</summary>
public partial interface IVmDomain : IDisposable
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
