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
    /// <summary>The user allows writing into the original base image (commit into it).</summary>
    public bool AllowBaseWrite { get; init; }
}

/// <summary>The steps a user sees a backup go through (VmBackup status.step).</summary>
public enum BackupStep { Snapshotting, Copying, Recording, Consolidating }

/// <summary>Progress of a running backup, reported by the engine through a callback.</summary>
public sealed record BackupProgress(BackupStep Step, long BytesDone, long BytesTotal, string? Disk = null)
{
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

    public long BytesCopied => Disks.Sum(d => d.BytesCopied);
    public long Bytes => Disks.Sum(d => d.Bytes);
}

/// <summary>One disk of a finished backup: where it came from and what it added to the repository.</summary>
public sealed record BackupDiskResult(string Target, string Source, IReadOnlyList<string> Files, long Bytes, long BytesCopied);
