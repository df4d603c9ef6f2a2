using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup;

/// <summary>
/// Undoes a backup that failed after its snapshot but before its point was recorded (full
/// repository, I/O error, Ctrl-C): the guest's writes since the snapshot are folded back into
/// the image the domain ran on before (its own writable image, so invariant 2 holds), the domain
/// is moved back onto it, and the overlay and the partial repository files are removed.
/// Where folding back is not safe — a shut-off domain on a host whose images cannot be edited
/// offline, or an image another domain uses — the domain stays on the new overlay instead: a
/// valid chain, whose frozen image no restore point records, so the next backup of it is a full
/// (the planner sees the domain is no longer on the overlay the last point left) and every point
/// stays exact. If undoing fails too, the journal stays and the next run finishes or undoes it.
/// </summary>
public sealed class BackupRollback(IVmSource source, IVmDomain domain, DomainLayout layout, JournalStore journals)
{
    /// <summary>Undoes the backup; returns what became of the domain's disks, for the error message.</summary>
    public async Task<string> RollBackAsync(BackupJournal journal, Exception failure)
    {
        // The caller's token may be the very cancellation that failed the copy: undo regardless.
        var ct = CancellationToken.None;
        try
        {
            DeletePointFiles(layout, journal);
            var guard = new OverlayGuard(source, domain);
            var stayed = new List<string>();
            foreach (var disk in OnOverlay.Disks(domain, journal))
            {
                if (await WhyNotFoldBackAsync(guard, disk, ct) is { } why)
                {
                    stayed.Add($"disk {disk.Target} stays on {disk.Overlay} ({why}; the next backup is a full)");
                    continue;
                }
                if (domain.IsRunning)
                {
                    await domain.ActiveCommitAsync(disk.Target, disk.Frozen, 0, ct);
                }
                else
                {
                    // The frozen image keeps its own format (a raw disk stays raw): read it from the
                    // overlay's chain before the commit.
                    var frozen = (await source.Images.ReadChainAsync(disk.Overlay, ct)).First(image => image.Path == disk.Frozen);
                    await source.Images.CommitOfflineAsync(disk.Overlay, disk.Frozen, ct);
                    domain.RedefineDiskSource(disk.Target, disk.Frozen, frozen.Format);
                }
                await guard.DeleteIfUnusedAsync(disk.Overlay, ct);
            }
            journals.Delete(journal.Name);
            return stayed.Count == 0
                ? "the snapshot was undone (the domain runs on its previous image)"
                : "the snapshot was not undone where that was unsafe: " + string.Join("; ", stayed);
        }
        catch (Exception undo)
        {
            var cause = EngineBoundary.Wrap(failure, $"backup {journal.PointId}");
            throw new FibackupException(cause.Reason,
                $"{failure.Message}; undoing the snapshot failed as well ({undo.Message}); the domain runs on a valid chain and the next fibackup run for it finishes or undoes backup {journal.PointId}",
                cause.Field, failure, cause.Retryable);
        }
    }

    private async Task<string?> WhyNotFoldBackAsync(OverlayGuard guard, BackupJournalDisk disk, CancellationToken ct)
    {
        if (!domain.IsRunning && !source.Images.CanEditOffline)
            return "this host's images cannot be edited while the domain is shut off";
        return await guard.WhyNotWritableAsync([disk.Frozen, disk.Overlay], ct);
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
            File.Delete(Steps.DirtyBlockTrim.ScratchPathFor(path));
            File.Delete(path);
        }
    }
}
