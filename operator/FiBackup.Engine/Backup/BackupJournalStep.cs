namespace FiBackup.Engine.Backup;

/// <summary>How far a backup got; each value is written to the journal once that step is durable.</summary>
public enum BackupJournalStep
{
    /// <summary>Names chosen, nothing changed on the domain yet (the snapshot may be in flight).</summary>
    Planned,
    /// <summary>The snapshot exists: the domain runs on the new overlays; the images to copy are read-only.</summary>
    Snapshotted,
    /// <summary>Every disk's file is in the repository.</summary>
    Copied,
    /// <summary>The manifest is written: the restore point exists.</summary>
    Recorded,
    /// <summary>Folding the copied overlays back is in progress.</summary>
    Consolidating,
}
