namespace FiBackup.Engine.Backup;

/// <summary>Progress of a running backup, reported by the engine through a callback.</summary>
public sealed record BackupProgress(BackupStep Step, long BytesDone, long BytesTotal, string? Disk = null)
{
    /// <summary>What the run does; on every report from the first one (right after the journal is written, before the snapshot).</summary>
    public BackupPlan? Plan { get; init; }

    /// <summary>Bytes per disk; their sums are <see cref="BytesDone"/> and <see cref="BytesTotal"/> during the copy.</summary>
    public IReadOnlyList<DiskProgress> Disks { get; init; } = [];

    public int Percent => BytesTotal <= 0 ? 0 : (int)Math.Min(100, BytesDone * 100 / BytesTotal);
}
