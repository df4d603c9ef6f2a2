using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup;

/// <summary>
/// The one "still on the overlay?" check: which disks of a journaled backup the domain runs on
/// that backup's new overlay right now (the snapshot switched them, nothing moved them since).
/// </summary>
public static class OnOverlay
{
    /// <summary>The journal's disks whose active image is their backup's overlay, asked of the domain now.</summary>
    public static IReadOnlyList<BackupJournalDisk> Disks(IVmDomain domain, BackupJournal journal)
    {
        var active = domain.ReadDisks().ToDictionary(d => d.Target, d => d.ActivePath);
        return journal.Disks.Where(d => active.GetValueOrDefault(d.Target) == d.Overlay).ToList();
    }

    public static bool Is(IVmDomain domain, BackupJournal journal, BackupJournalDisk disk) =>
        Disks(domain, journal).Any(d => d.Target == disk.Target);
}
