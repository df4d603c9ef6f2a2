using FiBackup.Engine.Repository;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Consolidation;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Recovery;

/// <summary>
/// Runs before every backup of a domain: settles block jobs an interrupted run left behind and
/// finishes or undoes every journaled backup. A backup interrupted after its snapshot is finished
/// (its frozen image still holds exactly the point's content); one interrupted before it is
/// forgotten; one whose frozen image is no longer where the journal says is abandoned, keeping
/// the domain as it is.
/// </summary>
public sealed class BackupRecovery(BackupExecution execution)
{
    public async Task RecoverAsync(List<string> warnings, CancellationToken ct)
    {
        var journals = execution.Journals.List(BackupJournal.Prefix).Select(name => BackupJournal.Read(execution.Journals, name)).ToList();
        if (execution.Domain.IsRunning)
            await StopOurBackupJobAsync(journals, warnings, ct);
        if (execution.Domain.IsRunning)
        {
            // Decide for every disk before settling any, so a refusal changes nothing.
            var ours = new List<string>();
            foreach (var disk in execution.Domain.ReadDisks().Where(d => d.IsBackedUp))
            {
                if (execution.Domain.ActiveBlockJob(disk.Target) is not { } job) continue;
                if (!journals.Any(j => Started(j, disk.Target, job)))
                    throw ForeignBlockJob.Refusal(execution.Domain.Name, disk.Target, job, "backup");
                ours.Add(disk.Target);
            }
            foreach (var target in ours)
            {
                if (await execution.Domain.SettleBlockJobAsync(target, ct))
                    warnings.Add($"finished a block job an interrupted run left on disk {target}");
            }
        }
        foreach (var journal in journals)
            await RecoverAsync(journal, warnings, ct);
    }

    /// <summary>
    /// Whether the journal records that fibackup started this job: only a backup that reached its
    /// Consolidating step starts block jobs, and only the kind its consolidation method uses.
    /// </summary>
    private static bool Started(BackupJournal journal, string target, DiskJobKind job) =>
        journal.Step == BackupJournalStep.Consolidating
        && journal.Disks.Any(d => d.Target == target)
        && journal.Consolidation switch
        {
            ConsolidationMethod.Commit => job is DiskJobKind.Commit or DiskJobKind.ActiveCommit,
            ConsolidationMethod.Pull => job is DiskJobKind.Pull,
            _ => false,
        };

    private async Task RecoverAsync(BackupJournal journal, List<string> warnings, CancellationToken ct)
    {
        if (journal.Point.Technique == BackupTechnique.Bitmap)
        {
            await RecoverBitmapAsync(journal, warnings, ct);
            return;
        }
        // The step the journal says, for the message: finishing moves `journal` on to later steps.
        var leftAt = journal.Step;
        if (journal.Step == BackupJournalStep.Planned)
        {
            switch (execution.SnapshotState(journal))
            {
                case SnapshotProgress.None:
                    await ForgetAsync(journal, ct);
                    warnings.Add($"discarded backup {journal.PointId}, interrupted before its snapshot");
                    return;
                case SnapshotProgress.Some:
                    throw new FibackupException(ErrorReason.RecoveryBlocked,
                        $"backup {journal.PointId} was interrupted during its snapshot and left some disks on new overlays and some not ({string.Join(", ", journal.Disks.Select(d => d.Overlay))}); check `virsh domblklist {execution.Domain.Name}`, then remove {execution.Journals.PathOf(journal.Name)}");
                default:
                    journal = journal with { Step = BackupJournalStep.Snapshotted };
                    break;
            }
        }

        if (journal.Step == BackupJournalStep.Snapshotted)
        {
            if (await WhyFrozenImagesAreGoneAsync(journal, ct) is { } reason)
            {
                BackupRollback.DeletePointFiles(execution.Layout, journal);
                execution.Journals.Delete(journal.Name);
                warnings.Add($"abandoned backup {journal.PointId} interrupted during its copy: {reason}");
                return;
            }
            journal = await execution.CopyAsync(journal, progress: null, ct);
        }
        var recovered = new List<string>(journal.Warnings);
        await execution.FinishAsync(journal, recovered, progress: null, ct);
        warnings.Add($"finished backup {journal.PointId}, which an interrupted run had left at step {leftAt}");
        warnings.AddRange(recovered.Except(journal.Warnings));
    }

    /// <summary>The copy can be redone only while each frozen image is still right below its overlay.</summary>
    private async Task<string?> WhyFrozenImagesAreGoneAsync(BackupJournal journal, CancellationToken ct)
    {
        var onOverlay = OnOverlay.Disks(execution.Domain, journal).Select(d => d.Target).ToHashSet();
        foreach (var disk in journal.Disks)
        {
            if (disk.Copied is not null) continue;
            if (!onOverlay.Contains(disk.Target))
                return $"disk {disk.Target} no longer runs on {disk.Overlay}";
            var chain = await execution.Source.Images.ReadChainAsync(disk.Overlay, ct);
            if (chain.Count < 2 || chain[1].Path != disk.Frozen)
                return $"{disk.Frozen} is no longer the backing image of {disk.Overlay}";
        }
        return null;
    }

    /// <summary>A backup that never took its snapshot: remove anything it may have created.</summary>
    private async Task ForgetAsync(BackupJournal journal, CancellationToken ct)
    {
        var guard = new OverlayGuard(execution.Source, execution.Domain);
        // libvirt removes overlays of a failed snapshot itself; one left over is ours and unused
        // (the guard deletes it only if no domain's chain holds it).
        foreach (var disk in journal.Disks)
            await guard.DeleteIfUnusedAsync(disk.Overlay, ct);
        BackupRollback.DeletePointFiles(execution.Layout, journal);
        execution.Journals.Delete(journal.Name);
    }

    /// <summary>
    /// A backup job writing into the partial files of a journaled bitmap backup was started by
    /// that (interrupted) run: it is aborted. Any other backup job is someone else's and refused.
    /// </summary>
    private async Task StopOurBackupJobAsync(IReadOnlyList<BackupJournal> journals, List<string> warnings, CancellationToken ct)
    {
        if (execution.Domain.RunningBackupTargets() is not { } running) return;
        var ours = journals.Where(j => j.Point.Technique == BackupTechnique.Bitmap)
            .SelectMany(j => j.Disks.Select(d => AtomicFile.PartialPathFor(execution.Layout.Resolve(d.RepositoryFile))))
            .ToHashSet();
        if (running.Count == 0 || !running.All(ours.Contains))
            throw new FibackupException(ErrorReason.RecoveryBlocked,
                $"domain {execution.Domain.Name} runs a backup job that fibackup did not start (writing {string.Join(", ", running)}); nothing was changed; wait for it to end or stop it with `virsh domjobabort {execution.Domain.Name}`");
        await execution.Domain.AbortBackupAsync(ct);
        warnings.Add($"stopped the backup job an interrupted run left on domain {execution.Domain.Name}");
    }

    /// <summary>
    /// A bitmap backup: finished when every disk's file is in place (renamed only after a complete,
    /// rebased, fsync'ed job output), else undone: files and partials deleted, and the point's
    /// checkpoint deleted so its bitmap merges back into the previous one, which then still covers
    /// every write since the last recorded point.
    /// </summary>
    private async Task RecoverBitmapAsync(BackupJournal journal, List<string> warnings, CancellationToken ct)
    {
        var leftAt = journal.Step;
        var inPlace = journal.Disks.All(d => d.Copied is not null || File.Exists(execution.Layout.Resolve(d.RepositoryFile)));
        if (journal.Step >= BackupJournalStep.Recorded || inPlace)
        {
            var disks = new List<BackupJournalDisk>();
            foreach (var disk in journal.Disks)
            {
                if (disk.Copied is not null) { disks.Add(disk); continue; }
                var path = execution.Layout.Resolve(disk.RepositoryFile);
                var digest = await Verify.FileDigest.OfFileAsync(path, ct);
                disks.Add(disk with
                {
                    Copied = new Repository.RepositoryFile { Path = disk.RepositoryFile, Size = digest.Size, Sha256 = digest.Sha256, Backing = disk.RepositoryBacking },
                    BytesCopied = Copy.DataBytes.Of(path),
                });
            }
            journal = journal with { Disks = disks, Step = journal.Step < BackupJournalStep.Copied ? BackupJournalStep.Copied : journal.Step };
            var recovered = new List<string>(journal.Warnings);
            await execution.FinishAsync(journal, recovered, progress: null, ct);
            warnings.Add($"finished backup {journal.PointId}, which an interrupted run had left at step {leftAt}");
            warnings.AddRange(recovered.Except(journal.Warnings));
            return;
        }
        BackupRollback.DeletePointFiles(execution.Layout, journal);
        var checkpoint = journal.Point.Checkpoint;
        var removed = false;
        if (checkpoint is not null)
        {
            try { removed = execution.Domain.DeleteCheckpoint(checkpoint); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new FibackupException(ErrorReason.RecoveryBlocked,
                    $"backup {journal.PointId} was interrupted before its files were in place, and its checkpoint {checkpoint} could not be deleted: {e.Message}; its files were removed, the journal {execution.Journals.PathOf(journal.Name)} stays for the next run", inner: e);
            }
        }
        execution.Journals.Delete(journal.Name);
        warnings.Add($"discarded backup {journal.PointId}, interrupted at step {leftAt} before its files were in place"
                     + (removed ? $" (deleted its checkpoint {checkpoint})" : ""));
    }
}
