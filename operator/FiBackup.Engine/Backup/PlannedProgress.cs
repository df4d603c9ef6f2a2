namespace FiBackup.Engine.Backup;

/// <summary>
/// Stamps every report of a run with its plan, and keeps the last per-disk figures on the reports
/// that carry none (recording, consolidating), so a status writer always has the whole picture.
/// </summary>
internal sealed class PlannedProgress(IProgress<BackupProgress> inner, BackupPlan plan) : IProgress<BackupProgress>
{
    private IReadOnlyList<DiskProgress> _disks = plan.Disks.Select(d => new DiskProgress(d.Target, 0, d.BytesToCopy)).ToList();

    public void Report(BackupProgress value)
    {
        if (value.Disks.Count > 0) _disks = value.Disks;
        // Steps without byte counts of their own (snapshot, record, consolidate) show the copy's.
        if (value.BytesTotal == 0)
            value = value with { BytesDone = _disks.Sum(d => d.BytesDone), BytesTotal = _disks.Sum(d => d.BytesTotal) };
        inner.Report(value with { Plan = plan, Disks = _disks });
    }
}
