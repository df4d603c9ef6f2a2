namespace FiBackup.Engine.Backup;

/// <summary>What a finished backup produced.</summary>
public sealed record BackupResult(
    string PointId,
    Repository.BackupType Type,
    string Chain,
    IReadOnlyList<BackupDiskResult> Disks,
    IReadOnlyList<string> Warnings,
    bool Quiesced)
{
    /// <summary>How long the snapshot call took: the moment guest I/O waits while images switch (none with the bitmap technique).</summary>
    public TimeSpan SnapshotDuration { get; init; }

    /// <summary>How the point was taken: a shut-off domain asked for bitmap is taken with the snapshot technique.</summary>
    public BackupTechnique Technique { get; init; } = BackupTechnique.Snapshot;

    public BackupOutcome Outcome { get; init; } = BackupOutcome.Created;

    /// <summary>When recovery undid an interrupted run of the same idempotency key before this one: what it undid.</summary>
    public string? RecoveredInterruptedRun { get; init; }

    /// <summary>The result a finished restore point stands for (a retried request that was already done).</summary>
    public static BackupResult FromManifest(Repository.RestorePointManifest manifest, BackupOutcome outcome, IReadOnlyList<string>? warnings = null) =>
        new(manifest.Id, manifest.Type, manifest.Chain,
            manifest.Disks.Select(d => new BackupDiskResult(d.Target, d.Source, d.Files.Select(f => f.Path).ToList(),
                d.Bytes, d.OwnFileLength)).ToList(),
            warnings ?? [], manifest.Quiesced)
        { Outcome = outcome, Technique = manifest.TechniqueOrDefault };

    /// <summary>The data bytes the point added to the repository, as its manifest records them.</summary>
    public long Bytes => Disks.Sum(d => d.Bytes);
    public long FileLength => Disks.Sum(d => d.FileLength);
}
