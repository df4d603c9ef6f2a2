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
}
