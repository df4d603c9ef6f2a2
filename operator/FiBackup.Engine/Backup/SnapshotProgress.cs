namespace FiBackup.Engine.Backup;

/// <summary>How many disks of a journaled backup already run on their new overlays.</summary>
public enum SnapshotProgress { None, Some, All }
