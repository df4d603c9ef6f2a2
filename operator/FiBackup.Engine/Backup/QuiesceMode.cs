namespace FiBackup.Engine.Backup;

public enum QuiesceMode { Disabled, Preferred, Required }
