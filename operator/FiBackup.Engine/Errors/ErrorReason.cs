namespace FiBackup.Engine.Errors;

/// <summary>
/// Machine-readable causes of a <see cref="FibackupException"/>. Each value is valid as a
/// Kubernetes metav1.Condition reason (CamelCase, <c>^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$</c>),
/// so a controller copies it into a condition unchanged. "Retryable" below is what
/// <see cref="IsRetryable"/> says: whether running the same request again, unchanged, can succeed.
/// </summary>
public static class ErrorReason
{
    /// <summary>The request is wrong (bad name, conflicting options, nothing to back up). Terminal: fix the input.</summary>
    public const string InvalidSpec = nameof(InvalidSpec);

    /// <summary>No domain of that name on the source. Terminal: a retry cannot create it.</summary>
    public const string DomainNotFound = nameof(DomainNotFound);

    /// <summary>Another operation holds the domain (lock, libvirt state-change lock). Retryable once it finishes.</summary>
    public const string DomainBusy = nameof(DomainBusy);

    /// <summary>The domain runs but the operation needs it shut off (in-place restore). Terminal until someone shuts it down.</summary>
    public const string DomainRunning = nameof(DomainRunning);

    /// <summary>A domain with the name a restore would define already exists. Terminal: choose another name.</summary>
    public const string DomainExists = nameof(DomainExists);

    /// <summary>The requested restore point (or the domain's points) is not in the repository. Terminal.</summary>
    public const string PointNotFound = nameof(PointNotFound);

    /// <summary>The repository has no room (ENOSPC, EDQUOT, free-space check). Retryable: pruning or a bigger volume frees room.</summary>
    public const string RepositoryFull = nameof(RepositoryFull);

    /// <summary>A manifest, journal record or file of the repository is unreadable or fails its checksum. Terminal: needs a person.</summary>
    public const string RepositoryCorrupt = nameof(RepositoryCorrupt);

    /// <summary>The repository directory cannot be written or read (not mounted, read-only, I/O error). Retryable: mounts come back.</summary>
    public const string RepositoryUnavailable = nameof(RepositoryUnavailable);

    /// <summary>The guest could not be quiesced (no or silent guest agent). Retryable: the agent may start; nothing was changed.</summary>
    public const string QuiesceFailed = nameof(QuiesceFailed);

    /// <summary>libvirtd cannot be reached (refused, dropped, keepalive timeout). Retryable. Authentication failures are terminal.</summary>
    public const string LibvirtUnreachable = nameof(LibvirtUnreachable);

    /// <summary>libvirt refused a call for another reason. Terminal: the same call fails the same way.</summary>
    public const string LibvirtError = nameof(LibvirtError);

    /// <summary>The atomic snapshot failed as a whole; nothing was changed. Retryable.</summary>
    public const string SnapshotFailed = nameof(SnapshotFailed);

    /// <summary>Copying into the repository failed; the snapshot was undone. Retryable.</summary>
    public const string CopyFailed = nameof(CopyFailed);

    /// <summary>A block commit or pull ended in failure; the domain still runs on a valid chain. Retryable.</summary>
    public const string ConsolidationFailed = nameof(ConsolidationFailed);

    /// <summary>An external tool (qemu-img) failed or is missing. Terminal: its failures are deterministic.</summary>
    public const string ToolFailed = nameof(ToolFailed);

    /// <summary>The operation was cut short (an internal timeout, a kill); the next run recovers. Retryable.</summary>
    public const string Interrupted = nameof(Interrupted);

    /// <summary>An interrupted run left a state recovery will not guess about (some disks switched). Terminal: needs a person.</summary>
    public const string RecoveryBlocked = nameof(RecoveryBlocked);

    /// <summary>A file fibackup would create already exists (an overlay name). Terminal: fibackup never overwrites.</summary>
    public const string FileConflict = nameof(FileConflict);

    /// <summary>Permission denied on a file or directory. Terminal until permissions change.</summary>
    public const string PermissionDenied = nameof(PermissionDenied);

    /// <summary>Anything the engine did not expect (a bug). Terminal.</summary>
    public const string InternalError = nameof(InternalError);

    private static readonly HashSet<string> Retryable =
    [
        DomainBusy, RepositoryFull, RepositoryUnavailable, QuiesceFailed, LibvirtUnreachable,
        SnapshotFailed, CopyFailed, ConsolidationFailed, Interrupted,
    ];

    /// <summary>The default retryability of a reason, as documented on each constant.</summary>
    public static bool IsRetryable(string reason) => Retryable.Contains(reason);

    /// <summary>Every reason, for tests and for documentation generators.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        InvalidSpec, DomainNotFound, DomainBusy, DomainRunning, DomainExists, PointNotFound, RepositoryFull,
        RepositoryCorrupt, RepositoryUnavailable, QuiesceFailed, LibvirtUnreachable, LibvirtError, SnapshotFailed,
        CopyFailed, ConsolidationFailed, ToolFailed, Interrupted, RecoveryBlocked, FileConflict, PermissionDenied,
        InternalError,
    ];
}
