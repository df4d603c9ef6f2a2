using FiBackup.Engine.Errors;
using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;

namespace FiBackup.Engine.Prune;

/// <summary>
/// Drops the restore points a retention policy does not keep, leaving every retained point
/// restorable byte for byte. The order keeps the repository consistent at every instant, so a
/// crash anywhere loses nothing: journal entry, new files (<see cref="ChainRewriter"/>), retained
/// manifests rewritten (each atomically), dropped manifests deleted, then files no manifest lists
/// deleted, journal entry deleted. Until the manifests change, the new files are unreferenced and
/// the old ones still serve every point; after, the old ones are unreferenced.
/// A rewritten manifest describes the same disk content; only its file list (and Bytes and
/// FileLength, the data bytes and length of its own file) changes, and its Type becomes Full when every disk is one self-contained image.
/// Chain and Sequence keep recording how the point was taken (file names are never reused).
/// </summary>
public sealed class Pruner(TimeZoneInfo zone, TimeProvider time)
{
    public const string CrashAfterNewFiles = "prune-files-written";
    public const string CrashAfterFirstManifestRewrite = "prune-manifest-rewritten";
    public const string CrashAfterFirstManifestDelete = "prune-manifest-deleted";
    public const string CrashAfterFirstFileDelete = RepositorySweeper.CrashAfterFirstDelete;

    public Pruner() : this(TimeZoneInfo.Local, TimeProvider.System) { }

    public Task<PruneResult> PruneAsync(DomainLayout layout, RetentionPolicy policy, bool dryRun, CancellationToken ct) =>
        EngineBoundary.RunAsync($"prune of {layout.Host}/{layout.Domain}", ct, () => PruneCoreAsync(layout, policy, dryRun, ct));

    private async Task<PruneResult> PruneCoreAsync(DomainLayout layout, RetentionPolicy policy, bool dryRun, CancellationToken ct)
    {
        policy.Validate();
        var store = new ManifestStore(layout);
        if (dryRun)
            return new PruneResult(RetentionPlanner.Plan(store.List(), policy, zone), true, [], 0, [], [], 0, null);

        using var domainLock = DomainLock.Acquire(layout.LockFile, "fibackup prune", TimeSpan.Zero, ct, layout.Domain);
        var recovery = RecoverHoldingLock(layout, ct);
        var plan = RetentionPlanner.Plan(store.List(), policy, zone);
        return await ApplyHoldingLockAsync(layout, plan, policy.ToString(), recovery, ct);
    }

    /// <summary>
    /// Drops exactly the restore points <paramref name="pointIds"/> (a deleted VmBackup), with the
    /// same crash-safe steps as <see cref="PruneAsync"/>: every other point stays restorable byte
    /// for byte. Any id the domain does not have is refused (PointNotFound) before anything changes.
    /// </summary>
    public Task<PruneResult> DropAsync(DomainLayout layout, IReadOnlyCollection<string> pointIds, CancellationToken ct) =>
        EngineBoundary.RunAsync($"dropping restore points of {layout.Host}/{layout.Domain}", ct, async () =>
        {
            using var domainLock = DomainLock.Acquire(layout.LockFile, "fibackup drop of restore points", TimeSpan.Zero, ct, layout.Domain);
            var recovery = RecoverHoldingLock(layout, ct);
            var points = new ManifestStore(layout).List();
            var unknown = pointIds.Where(id => points.All(p => p.Id != id)).ToList();
            if (unknown.Count > 0)
                throw new InvalidInputException(
                    $"{layout.Host}/{layout.Domain} has no restore point {string.Join(", ", unknown)}; nothing was dropped",
                    EngineField.Points, reason: ErrorReason.PointNotFound);
            var chosen = pointIds.ToHashSet(StringComparer.Ordinal);
            var plan = new RetentionPlan(null, points
                .OrderByDescending(p => p.Time).ThenByDescending(p => p.Id, StringComparer.Ordinal)
                .Select(p => chosen.Contains(p.Id)
                    ? new RetentionDecision(p, false, [])
                    : new RetentionDecision(p, true, [NotChosenReason]))
                .ToList());
            return await ApplyHoldingLockAsync(layout, plan, $"drop {string.Join(", ", chosen.Order(StringComparer.Ordinal))}", recovery, ct);
        });

    public const string NotChosenReason = "not chosen for dropping";

    /// <summary>Journal entry, new files, retained manifests rewritten, dropped manifests deleted, sweep, journal deleted.</summary>
    private async Task<PruneResult> ApplyHoldingLockAsync(DomainLayout layout, RetentionPlan plan, string description,
        PruneRecovery recovery, CancellationToken ct)
    {
        var store = new ManifestStore(layout);
        var id = PruneJournal.NewId(layout, time.GetUtcNow());
        var rewriter = new ChainRewriter(layout, id);
        var kept = plan.Kept.ToList();
        var dropped = plan.Dropped.ToList();
        var journals = new JournalStore(layout);
        var entry = new PruneJournalEntry
        {
            Id = id, Started = time.GetUtcNow(), Policy = description,
            Keep = kept.Select(p => p.Id).ToList(), Drop = dropped.Select(p => p.Id).ToList(),
        };
        await journals.WriteAsync(entry.Name, entry, ct);

        // A point left with one self-contained image per disk is now a full restore point.
        var rewritten = (await rewriter.RewriteAsync(kept, ct))
            .Select(m => m.Disks.All(d => d.Files.Count == 1) ? m with { Type = BackupType.Full } : m).ToList();
        CrashPoint.Reached(CrashAfterNewFiles);
        foreach (var manifest in rewritten)
        {
            await store.WriteAsync(manifest, ct, replaceExisting: true);
            CrashPoint.Reached(CrashAfterFirstManifestRewrite);
        }
        foreach (var point in dropped)
        {
            store.Delete(point.PointId);
            CrashPoint.Reached(CrashAfterFirstManifestDelete);
        }
        var swept = RepositorySweeper.Sweep(layout);
        journals.Delete(entry.Name);

        return new PruneResult(plan, false, rewriter.FilesWritten, rewriter.DataBytesWritten, rewritten.Select(m => m.Id).ToList(),
            swept.Files, swept.Bytes, recovery.DidSomething ? recovery : null);
    }

    /// <summary>
    /// Finishes interrupted prunes: deletes the manifests their journal entries dropped (never
    /// needed by a retained point: each manifest lists all its own files), then every file no
    /// manifest lists and every *.partial file. Safe to run any time no other operation runs.
    /// </summary>
    public Task<PruneRecovery> RecoverAsync(DomainLayout layout, CancellationToken ct) =>
        Task.FromResult(EngineBoundary.Run($"prune recovery of {layout.Host}/{layout.Domain}", () =>
        {
            using var domainLock = DomainLock.Acquire(layout.LockFile, "fibackup prune recovery", TimeSpan.Zero, ct, layout.Domain);
            return RecoverHoldingLock(layout, ct);
        }));

    private static PruneRecovery RecoverHoldingLock(DomainLayout layout, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var store = new ManifestStore(layout);
        var journals = new JournalStore(layout);
        var entries = PruneJournal.Entries(journals);
        var manifestsDeleted = new List<string>();
        foreach (var entry in entries)
        {
            foreach (var pointId in journals.Read<PruneJournalEntry>(entry, PruneJournal.IfUnreadable).Drop)
            {
                var point = RestorePointId.Parse(pointId);
                if (!File.Exists(layout.ManifestPath(point))) continue;
                store.Delete(point);
                manifestsDeleted.Add(pointId);
            }
        }
        var swept = RepositorySweeper.Sweep(layout);
        foreach (var entry in entries) journals.Delete(entry);
        return new PruneRecovery(entries.Select(e => Path.GetFileName(journals.PathOf(e))).ToList(), manifestsDeleted, swept.Files, swept.Bytes);
    }
}
