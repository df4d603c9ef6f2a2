using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Consolidation;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>
/// After the point is recorded: folds the overlays the copy no longer needs back into the chain.
/// A failure here costs only a longer chain for a while (the next backup folds it), never data,
/// so it becomes a warning rather than a failed backup; so does a consolidation deferred because
/// the domain is shut off on a host whose images cannot be edited offline.
/// </summary>
public sealed class ConsolidateStep(LiveChainConsolidator consolidator)
{
    public async Task<IReadOnlyList<ConsolidationOutcome>> RunAsync(IVmDomain domain, BackupJournal journal,
        List<string> warnings, CancellationToken ct)
    {
        var outcomes = new List<ConsolidationOutcome>();
        var onOverlay = OnOverlay.Disks(domain, journal).Select(d => d.Target).ToHashSet();
        foreach (var disk in journal.Disks)
        {
            if (!onOverlay.Contains(disk.Target))
            {
                warnings.Add($"disk {disk.Target} no longer runs on {disk.Overlay}; not consolidated");
                continue;
            }
            if (LeftNothingToFold(journal, disk))
            {
                outcomes.Add(ConsolidationOutcome.Nothing(disk.Target, "chain already short (active → base)"));
                continue;
            }
            try
            {
                var outcome = await consolidator.FoldBelowActiveAsync(domain, disk.Target, disk.Overlay,
                    journal.Consolidation, journal.AllowBaseWrite, journal.BandwidthBytesPerSecond ?? 0, ct);
                outcomes.Add(outcome);
                if (outcome.Deferred || outcome.Refused) warnings.Add($"disk {disk.Target}: {outcome.Summary}");
                // A run killed while its block job ran leaves the folded overlay's file behind.
                await consolidator.DeleteIfUnusedAsync(domain, disk.Frozen, ct);
                CrashPoint.Reached("after-consolidate");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                warnings.Add($"consolidation of disk {disk.Target} failed, the next backup retries it: {e.Message}");
            }
        }
        return outcomes;
    }

    /// <summary>
    /// A full whose frozen image stood alone (the planner saw a one-image qcow2 chain) leaves the disk
    /// on overlay → that image: no method folds a two-image chain, so its chain is not read again
    /// (one qemu-img run less per disk, bench/RESULTS.md). Journals without the planner's decision read it.
    /// </summary>
    private static bool LeftNothingToFold(BackupJournal journal, BackupJournalDisk disk) =>
        journal.Point.Type == Repository.BackupType.Full && disk.Flatten == false;
}
