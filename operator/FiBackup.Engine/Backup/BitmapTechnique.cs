using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup;

/// <summary>What the planner decides for the bitmap technique: whether it applies, names and estimates.</summary>
public static class BitmapTechnique
{
    /// <summary>Only checkpoints with this prefix are fibackup's: no other checkpoint is ever deleted.</summary>
    public const string CheckpointPrefix = "fibackup-";

    public static string CheckpointName(RestorePointId point) => CheckpointPrefix + point;

    /// <summary>
    /// The technique this run uses. Bitmap is refused over a remote connection (the push target
    /// would be a file on the remote host) and for a non-qcow2 disk (dirty bitmaps live in qcow2);
    /// a shut-off domain is taken with the snapshot technique, since libvirt 9.0's backup API needs
    /// a running QEMU.
    /// </summary>
    public static BackupTechnique Choose(BackupTechnique requested, IVmDomain domain, IHostImages images,
        IReadOnlyList<DomainDisk> disks, IReadOnlyDictionary<string, IReadOnlyList<ChainImage>> chains, List<string> warnings)
    {
        if (requested != BackupTechnique.Bitmap) return requested;
        if (!images.IsLocal)
            throw new InvalidInputException(
                $"technique bitmap: domain {domain.Name} is reached over a remote connection, and the backup job would write its files on that host, not into the repository; nothing was changed (use --technique snapshot)",
                EngineField.Technique);
        if (!domain.IsRunning)
        {
            warnings.Add($"domain {domain.Name} is shut off and libvirt's backup API needs a running domain: this point is taken with the snapshot technique");
            return BackupTechnique.Snapshot;
        }
        foreach (var disk in disks)
        {
            var active = chains[disk.Target][0];
            if (active.Format != "qcow2")
                throw new InvalidInputException(
                    $"technique bitmap: disk {disk.Target} of domain {domain.Name} is a {active.Format} image ({active.Path}), and dirty bitmaps need qcow2; nothing was changed (use --technique snapshot, or convert the disk to qcow2)",
                    EngineField.Technique);
        }
        return BackupTechnique.Bitmap;
    }

    /// <summary>An estimate for progress and free space: a full reads the whole chain, an incremental at most the active image.</summary>
    public static long BytesToCopy(BackupType type, IReadOnlyList<ChainImage> chain) =>
        type == BackupType.Full ? chain.Sum(c => c.ActualSize) : chain[0].ActualSize;
}
