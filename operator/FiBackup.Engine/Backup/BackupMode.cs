namespace FiBackup.Engine.Backup;

public enum BackupMode { Auto, Full, Incremental }
