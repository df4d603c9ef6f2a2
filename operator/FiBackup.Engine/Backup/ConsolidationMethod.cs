namespace FiBackup.Engine.Backup;

public enum ConsolidationMethod { None, Commit, Pull }
