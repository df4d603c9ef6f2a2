using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Backup.Steps;
using FiBackup.Engine.Consolidation;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup;

/// <summary>
/// The steps of a backup after its snapshot, shared by a fresh run and by the recovery of an
/// interrupted one: each takes the journal at one step and leaves it at the next.
/// </summary>
public sealed class BackupExecution(IVmSource source, IVmDomain domain, DomainLayout layout, TimeProvider time)
{
    public IVmSource Source { get; } = source;
    public IVmDomain Domain { get; } = domain;
    public DomainLayout Layout { get; } = layout;
    public JournalStore Journals { get; } = new(layout);

    /// <summary>True when every disk of the plan already runs on its new overlay.</summary>
    public bool SnapshotHappened(BackupJournal journal) => SnapshotState(journal) == SnapshotProgress.All;

    public SnapshotProgress SnapshotState(BackupJournal journal)
    {
        var switched = OnOverlay.Disks(Domain, journal).Count;
        return switched == 0 ? SnapshotProgress.None : switched == journal.Disks.Count ? SnapshotProgress.All : SnapshotProgress.Some;
    }

    public async Task<BackupJournal> CopyAsync(BackupJournal journal, IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        journal = await new CopyStep(Source.Images, Journals, Layout, time).RunAsync(journal, progress, ct);
        journal = journal with { Step = BackupJournalStep.Copied };
        await Journals.WriteAsync(journal.Name, journal, ct);
        CrashPoint.Reached("after-copy");
        return journal;
    }

    /// <summary>Record → Consolidate → done, from wherever the journal stands after the copy.</summary>
    public async Task<BackupResult> FinishAsync(BackupJournal journal, List<string> warnings,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        if (journal.Point.Technique == BackupTechnique.Bitmap) return await FinishBitmapAsync(journal, warnings, progress, ct);
        (journal, var manifest) = await RecordAsync(journal, progress, ct);

        progress?.Report(new BackupProgress(BackupStep.Consolidating, 0, 0));
        journal = journal with { Step = BackupJournalStep.Consolidating };
        await Journals.WriteAsync(journal.Name, journal, ct);
        await new ConsolidateStep(new LiveChainConsolidator(Source)).RunAsync(Domain, journal, warnings, ct);
        // A snapshot point after bitmap points is a full (a change of technique starts a new chain):
        // their checkpoints are of no further use.
        if (journal.Point.Type == BackupType.Full) DeleteCheckpointsOfEarlierPoints(keep: null, warnings);
        Journals.Delete(journal.Name);

        // Read from the manifest, so a result reports exactly what `list` and a synced VmBackup show.
        return BackupResult.FromManifest(manifest, BackupOutcome.Created, warnings.Distinct().ToList());
    }

    /// <summary>Writes the manifest (the restore point exists from here on) and journals the step, for either technique.</summary>
    private async Task<(BackupJournal Journal, RestorePointManifest Manifest)> RecordAsync(BackupJournal journal,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new BackupProgress(BackupStep.Recording, 0, 0));
        var manifest = await new RecordStep(new ManifestStore(Layout)).RunAsync(journal, ct);
        if (journal.Step < BackupJournalStep.Recorded)
        {
            journal = journal with { Step = BackupJournalStep.Recorded };
            await Journals.WriteAsync(journal.Name, journal, ct);
        }
        CrashPoint.Reached("after-record");
        return (journal, manifest);
    }

    /// <summary>
    /// A bitmap point: Record, then delete the checkpoints of this repository's earlier points. This
    /// point's checkpoint keeps tracking every write since it, libvirt takes care of that. The live
    /// chain did not grow: nothing to consolidate.
    /// </summary>
    private async Task<BackupResult> FinishBitmapAsync(BackupJournal journal, List<string> warnings,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        (journal, var manifest) = await RecordAsync(journal, progress, ct);
        DeleteCheckpointsOfEarlierPoints(journal.Point.Checkpoint, warnings);
        Journals.Delete(journal.Name);
        return BackupResult.FromManifest(manifest, BackupOutcome.Created, warnings.Distinct().ToList());
    }

    /// <summary>
    /// Deletes the checkpoints that this repository's restore points name, except <paramref name="keep"/>:
    /// only the newest point's checkpoint is needed (the next incremental starts from it), and every
    /// checkpoint costs the running guest a bitmap update per write. Checkpoints named by no point
    /// of this repository are left alone: another repository backing up the same domain with the
    /// bitmap technique continues from its own.
    /// </summary>
    private void DeleteCheckpointsOfEarlierPoints(string? keep, List<string> warnings)
    {
        var ours = new ManifestStore(Layout).List().Select(m => m.Checkpoint).OfType<string>()
            .Where(c => c != keep).ToHashSet(StringComparer.Ordinal);
        if (ours.Count == 0) return;
        foreach (var name in Domain.CheckpointNames().Where(ours.Contains).Order(StringComparer.Ordinal))
        {
            try { Domain.DeleteCheckpoint(name); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                warnings.Add($"could not delete the checkpoint {name} of an earlier point (the next backup retries): {e.Message}");
            }
        }
    }
}
