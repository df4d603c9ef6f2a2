using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup;

/// <summary>What a backup is about to do, known once its journal is written and before its snapshot.</summary>
public sealed record BackupPlan(string PointId, BackupType Type, string Chain, IReadOnlyList<PlannedDisk> Disks)
{
    public long BytesToCopy => Disks.Sum(d => d.BytesToCopy);

    internal static BackupPlan From(BackupJournal journal, IReadOnlyDictionary<string, long> bytesToCopy) =>
        new(journal.PointId, journal.Point.Type, journal.Point.Chain,
            journal.Disks.Select(d => new PlannedDisk(d.Target, d.Frozen, bytesToCopy.GetValueOrDefault(d.Target))).ToList());
}

/// <summary>One disk of a plan: the image it copies (frozen by the snapshot) and about how many bytes.</summary>
public sealed record PlannedDisk(string Target, string Source, long BytesToCopy);

/// <summary>How far the copy of one disk is.</summary>
public sealed record DiskProgress(string Target, long BytesDone, long BytesTotal);
