namespace FiBackup.Engine.Backup;

/// <summary>What one backup run of one domain should do.</summary>
public sealed record BackupRequest
{
    public required string Domain { get; init; }
    public required string RepositoryRoot { get; init; }
    public BackupMode Mode { get; init; } = BackupMode.Auto;
    public ConsolidationMethod Consolidation { get; init; } = ConsolidationMethod.Commit;
    public QuiesceMode Quiesce { get; init; } = QuiesceMode.Disabled;
    /// <summary>How the point is taken; a shut-off domain is always backed up with <see cref="BackupTechnique.Snapshot"/>.</summary>
    public BackupTechnique Technique { get; init; } = BackupTechnique.Snapshot;
    /// <summary>Bytes per second for the copy and the block jobs; null = unlimited.</summary>
    public long? BandwidthBytesPerSecond { get; init; }
    /// <summary>
    /// Where overlays of block-device disks, and of images in directories fibackup may not write,
    /// are created; null = <see cref="OverlayName.DefaultDirectory"/>. Other overlays stay next to
    /// the disk's image.
    /// </summary>
    public string? OverlayDirectory { get; init; }
    /// <summary>The user allows writing into the original base image (commit into it).</summary>
    public bool AllowBaseWrite { get; init; }
    /// <summary>
    /// Makes retries safe: a run whose key a restore point already carries returns that point
    /// instead of taking another (the operator passes the VmBackup's UID). Recorded in the journal
    /// and the manifest.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}
