using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Backup;

/// <summary>
/// Undoes a backup that failed after its snapshot but before its point was recorded (full
/// repository, I/O error, Ctrl-C): the guest's writes since the snapshot are folded back into
/// the image the domain ran on before (its own writable image, so invariant 2 holds), the domain
/// is moved back onto it, and the overlay and the partial repository files are removed.
/// If undoing fails too, the journal stays and the next run finishes or undoes it.
/// </summary>
public sealed class BackupRollback(IVmDomain domain, DomainLayout layout, JournalStore journals)
{
    public async Task RollBackAsync(BackupJournal journal, Exception failure)
    {
        // The caller's token may be the very cancellation that failed the copy: undo regardless.
        var ct = CancellationToken.None;
        try
        {
            DeletePointFiles(layout, journal);
            var active = domain.ReadDisks().ToDictionary(d => d.Target, d => d.ActivePath);
            foreach (var disk in journal.Disks.Where(d => active.GetValueOrDefault(d.Target) == d.Overlay))
            {
                if (domain.IsRunning)
                {
                    await domain.ActiveCommitAsync(disk.Target, disk.Frozen, 0, ct);
                }
                else
                {
                    // The frozen image keeps its own format (a raw disk stays raw): read it from the
                    // overlay's chain before the commit.
                    var frozen = (await LiveChain.ReadAsync(disk.Overlay, ct)).First(image => image.Path == disk.Frozen);
                    await QemuImg.CommitAsync(disk.Overlay, ct, baseImage: disk.Frozen);
                    domain.RedefineDiskSource(disk.Target, disk.Frozen, frozen.Format);
                }
                if (OverlayName.IsOverlay(disk.Overlay)) File.Delete(disk.Overlay);
            }
            journals.Delete(journal.Name);
        }
        catch (Exception undo)
        {
            var cause = EngineBoundary.Wrap(failure, $"backup {journal.PointId}");
            throw new FibackupException(cause.Reason,
                $"{failure.Message}; undoing the snapshot failed as well ({undo.Message}); the domain runs on a valid chain and the next fibackup run for it finishes or undoes backup {journal.PointId}",
                cause.Field, failure, cause.Retryable);
        }
    }

    /// <summary>Removes this point's repository files (and partials); no manifest refers to them yet.</summary>
    public static void DeletePointFiles(DomainLayout layout, BackupJournal journal)
    {
        foreach (var disk in journal.Disks)
        {
            var path = layout.Resolve(disk.RepositoryFile);
            // File.Delete throws (DirectoryNotFoundException) when the folder is missing, as it is
            // for every disk whose copy had not started: a failure while copying vda, or a plan
            // that never reached the copy, would otherwise abort the rollback or the recovery.
            if (!Directory.Exists(Path.GetDirectoryName(path))) continue;
            File.Delete(AtomicFile.PartialPathFor(path));
            File.Delete(path);
        }
    }
}
