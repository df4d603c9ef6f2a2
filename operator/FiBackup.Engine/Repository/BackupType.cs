namespace FiBackup.Engine.Repository;

/// <summary>Whether a restore point is a self-contained full or continues its chain (manifest "type").</summary>
public enum BackupType { Full, Incremental }
