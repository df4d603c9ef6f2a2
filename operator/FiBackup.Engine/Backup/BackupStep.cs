namespace FiBackup.Engine.Backup;

/// <summary>The steps a user sees a backup go through (VmBackup status.step).</summary>
public enum BackupStep { Snapshotting, Copying, Recording, Consolidating }
