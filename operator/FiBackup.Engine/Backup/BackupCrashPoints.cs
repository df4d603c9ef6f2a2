namespace FiBackup.Engine.Backup;

/// <summary>Every point of a backup where crash tests kill the process (FIBACKUP_CRASH_AT), in the order a run reaches them.</summary>
public static class BackupCrashPoints
{
    public static readonly IReadOnlyList<string> All =
    [
        "after-plan", "after-overlays", "after-snapshot", "during-copy", "after-copy", "after-record",
        "during-consolidate", "after-consolidate",
    ];
}
