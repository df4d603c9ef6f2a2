namespace FiBackup.Engine.Backup;

/// <summary>How a restore point is taken; the repository format is the same for both.</summary>
public enum BackupTechnique
{
    /// <summary>External disk-only snapshot, copy of the frozen image, consolidation of the live chain (DESIGN §1).</summary>
    Snapshot,
    /// <summary>libvirt's backup API in push mode with a checkpoint (a dirty bitmap in each qcow2 disk); the live chain never grows.</summary>
    Bitmap,
}
