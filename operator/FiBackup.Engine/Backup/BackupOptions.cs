namespace FiBackup.Engine.Backup;

public enum BackupMode { Auto, Full, Incremental }

public enum ConsolidationMethod { None, Commit, Pull }

public enum QuiesceMode { Disabled, Preferred, Required }

/// <summary>What one backup run of one domain should do.</summary>
public sealed record BackupRequest
{
    public required string Domain { get; init; }
    public required string RepositoryRoot { get; init; }
    public BackupMode Mode { get; init; } = BackupMode.Auto;
    public ConsolidationMethod Consolidation { get; init; } = ConsolidationMethod.Commit;
    public QuiesceMode Quiesce { get; init; } = QuiesceMode.Disabled;
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

/// <summary>The steps a user sees a backup go through (VmBackup status.step).</summary>
public enum BackupStep { Snapshotting, Copying, Recording, Consolidating }

/// <summary>Progress of a running backup, reported by the engine through a callback.</summary>
public sealed record BackupProgress(BackupStep Step, long BytesDone, long BytesTotal, string? Disk = null)
{
    /// <summary>What the run does; on every report from the first one (right after the journal is written, before the snapshot).</summary>
    public BackupPlan? Plan { get; init; }

    /// <summary>Bytes per disk; their sums are <see cref="BytesDone"/> and <see cref="BytesTotal"/> during the copy.</summary>
    public IReadOnlyList<DiskProgress> Disks { get; init; } = [];

    public int Percent => BytesTotal <= 0 ? 0 : (int)Math.Min(100, BytesDone * 100 / BytesTotal);
}

/// <summary>What a finished backup produced.</summary>
public sealed record BackupResult(
    string PointId,
    Repository.BackupType Type,
    string Chain,
    IReadOnlyList<BackupDiskResult> Disks,
    IReadOnlyList<string> Warnings,
    bool Quiesced)
{
    /// <summary>How long the snapshot call took: the moment guest I/O waits while images switch.</summary>
    public TimeSpan SnapshotDuration { get; init; }

    public BackupOutcome Outcome { get; init; } = BackupOutcome.Created;

    /// <summary>When recovery undid an interrupted run of the same idempotency key before this one: what it undid.</summary>
    public string? RecoveredInterruptedRun { get; init; }

    /// <summary>The result a finished restore point stands for (a retried request that was already done).</summary>
    public static BackupResult FromManifest(Repository.RestorePointManifest manifest, BackupOutcome outcome, IReadOnlyList<string>? warnings = null) =>
        new(manifest.Id, manifest.Type, manifest.Chain,
            manifest.Disks.Select(d => new BackupDiskResult(d.Target, d.Source, d.Files.Select(f => f.Path).ToList(),
                d.Bytes, d.OwnFileLength)).ToList(),
            warnings ?? [], manifest.Quiesced)
        { Outcome = outcome };

    /// <summary>The data bytes the point added to the repository, as its manifest records them.</summary>
    public long Bytes => Disks.Sum(d => d.Bytes);
    public long FileLength => Disks.Sum(d => d.FileLength);
}

/// <summary>
/// One disk of a finished backup: where it came from and what it added to the repository, in the
/// manifest's terms: <paramref name="Bytes"/> the data bytes of its new file, <paramref name="FileLength"/>
/// that file's length, holes included.
/// </summary>
public sealed record BackupDiskResult(string Target, string Source, IReadOnlyList<string> Files, long Bytes, long FileLength);
