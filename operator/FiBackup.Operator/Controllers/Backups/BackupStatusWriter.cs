using FiBackup.Engine;
using FiBackup.Engine.Repository;
using FiBackup.Operator.Api.V1Alpha1;
using EngineBackup = FiBackup.Engine.Backup;

namespace FiBackup.Operator.Controllers.Backups;

/// <summary>Puts what the engine reports (a plan, progress, a result, a manifest) into a VmBackup's status.</summary>
public static class BackupStatusWriter
{
    public static void Progress(VmBackupStatus status, EngineBackup.BackupProgress progress, DateTimeOffset started, DateTimeOffset now)
    {
        status.Step = progress.Step switch
        {
            EngineBackup.BackupStep.Snapshotting => BackupStepName.Snapshotting,
            EngineBackup.BackupStep.Copying => BackupStepName.Copying,
            EngineBackup.BackupStep.Recording => BackupStepName.Recording,
            _ => BackupStepName.Consolidating,
        };
        if (progress.Plan is { } plan)
        {
            status.RestorePoint = plan.PointId;
            status.Chain = plan.Chain;
            status.Type = plan.Type == BackupType.Full ? BackupTypeName.Full : BackupTypeName.Incremental;
        }
        if (progress.BytesTotal <= 0) return;
        var elapsed = (now - started).TotalSeconds;
        var rate = elapsed > 0.5 ? (long)(progress.BytesDone / elapsed) : (long?)null;
        status.Progress = new BackupProgressStatus
        {
            BytesDone = progress.BytesDone,
            BytesTotal = progress.BytesTotal,
            Percent = progress.Percent,
            PercentText = $"{progress.Percent}%",
            BytesPerSecond = rate,
            // The plan's byte counts are estimates; a copy that overshoots them has nothing left, not negative time.
            Eta = rate is > 0 ? Duration(TimeSpan.FromSeconds(Math.Max(0, progress.BytesTotal - progress.BytesDone) / (double)rate.Value)) : null,
        };
    }

    public static void Result(VmBackupStatus status, EngineBackup.BackupResult result)
    {
        status.RestorePoint = result.PointId;
        status.Chain = result.Chain;
        status.Type = result.Type == BackupType.Full ? BackupTypeName.Full : BackupTypeName.Incremental;
        status.Bytes = result.Bytes;
        status.Size = ByteSize.Format(result.Bytes);
        status.Quiesced = result.Quiesced;
        status.Technique = ApiTechnique(result.Technique);
        status.Warnings = result.Warnings.ToList();
        status.Disks = result.Disks.Select(d => new BackupDiskStatus { Target = d.Target, Source = d.Source, Files = d.Files.ToList(), Bytes = d.Bytes }).ToList();
        var total = status.Progress?.BytesTotal ?? result.Bytes;
        status.Progress = new BackupProgressStatus
        {
            BytesDone = total, BytesTotal = total, Percent = 100, PercentText = "100%",
            BytesPerSecond = status.Progress?.BytesPerSecond,
        };
        status.Step = null;
    }

    /// <summary>A VmBackup synced back from a repository: everything comes from the point's manifest.</summary>
    public static void Manifest(VmBackupStatus status, RestorePointManifest point)
    {
        status.RestorePoint = point.Id;
        status.Chain = point.Chain;
        status.Type = point.Type == BackupType.Full ? BackupTypeName.Full : BackupTypeName.Incremental;
        var bytes = point.Disks.Sum(d => d.Bytes);
        status.Bytes = bytes;
        status.Size = ByteSize.Format(bytes);
        status.Quiesced = point.Quiesced;
        status.Technique = ApiTechnique(point.TechniqueOrDefault);
        status.StartTime = point.Time.UtcDateTime;
        status.CompletionTime = point.Time.UtcDateTime;
        status.Disks = point.Disks.Select(d => new BackupDiskStatus
        {
            Target = d.Target, Source = d.Source, Files = d.Files.Select(f => f.Path).ToList(), Bytes = d.Bytes,
        }).ToList();
        status.Progress = new BackupProgressStatus { BytesDone = bytes, BytesTotal = bytes, Percent = 100, PercentText = "100%" };
    }

    private static BackupTechnique ApiTechnique(EngineBackup.BackupTechnique technique) =>
        technique == EngineBackup.BackupTechnique.Bitmap ? BackupTechnique.Bitmap : BackupTechnique.Snapshot;

    /// <summary>Kubernetes-style duration: 45s, 3m20s, 2h5m.</summary>
    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 60 => $"{(int)span.TotalSeconds}s",
        < 3600 => $"{(int)span.TotalMinutes}m{span.Seconds}s",
        _ => $"{(int)span.TotalHours}h{span.Minutes}m",
    };
}
