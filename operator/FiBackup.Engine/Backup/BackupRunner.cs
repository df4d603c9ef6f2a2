using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Backup.Steps;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Recovery;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup;

/// <summary>
/// One backup of one domain: Plan → Snapshot → Copy → Record → Consolidate, each step journaled
/// before the next starts. Before planning, whatever an interrupted run left is finished or undone
/// (<see cref="BackupRecovery"/>). A failure before the point is recorded puts the domain back on
/// the image it ran on; a crash at any moment leaves it on a valid chain for the next run to settle.
/// The domain is held through <paramref name="locks"/> (by host identity and domain UUID), the
/// repository's domain directory through its own lock file.
/// </summary>
public sealed class BackupRunner(TimeProvider time, IDomainLocks locks)
{
    /// <summary>How long a run waits for another operation on the domain's repository directory before giving up.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Runs the backup. With <see cref="BackupRequest.IdempotencyKey"/>, a retry of a request that
    /// already produced a point returns it (<see cref="BackupOutcome.AlreadyDone"/>, or
    /// <see cref="BackupOutcome.FinishedInterrupted"/> when recovery just finished it) without a snapshot.
    /// </summary>
    /// <param name="progress">
    /// Called inline on the engine's thread, in order, between steps and during the copy: it must not
    /// block (a status writer should queue the value and return). The first report comes right after
    /// the journal is written, before the snapshot, and every report carries the <see cref="BackupPlan"/>.
    /// </param>
    public Task<BackupResult> RunAsync(IVmSource source, BackupRequest request,
        IProgress<BackupProgress>? progress, CancellationToken ct) =>
        EngineBoundary.RunAsync($"backup of {request.Domain}", ct, () => RunCoreAsync(source, request, progress, ct));

    private async Task<BackupResult> RunCoreAsync(IVmSource source, BackupRequest request,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        RepositoryName.Validate(EngineField.Domain, request.Domain);
        using var domain = source.OpenDomain(request.Domain);
        var layout = RepositoryAccess.PrepareDomain(request.RepositoryRoot, source.Host, domain.Name);
        await using var domainLock = await locks.AcquireAsync(new DomainLockKey(source.HypervisorId, domain.Uuid, domain.Name),
            $"fibackup backup of {domain.Name}", ct);
        using var repositoryLock = DomainLock.Acquire(layout.LockFile, $"fibackup backup of {domain.Name}", LockWait, ct);

        var warnings = new List<string>();
        var execution = new BackupExecution(source, domain, layout, time);
        var interrupted = InterruptedRunsWithKey(execution.Journals, request.IdempotencyKey);
        await new BackupRecovery(execution).RecoverAsync(warnings, ct);
        string? recoveredRun = null;
        if (request.IdempotencyKey is { } key)
        {
            if (new ManifestStore(layout).List().LastOrDefault(m => m.IdempotencyKey == key) is { } done)
                return BackupResult.FromManifest(done,
                    interrupted.Contains(done.Id) ? BackupOutcome.FinishedInterrupted : BackupOutcome.AlreadyDone, warnings);
            if (interrupted.Count > 0)
                recoveredRun = $"an interrupted run of this request (backup {string.Join(", ", interrupted)}) had recorded no restore point and was undone: "
                               + string.Join("; ", warnings.Where(w => interrupted.Any(w.Contains)));
        }

        var journal = await new BackupPlanner(time).PlanAsync(source.Images, domain, layout, request, warnings, ct);
        // The copy starts only after the journal and the snapshot; meanwhile the host can start reading.
        foreach (var disk in journal.Disks) source.Images.PrefetchForCopy(disk.Frozen);
        var estimate = journal.Disks.ToDictionary(d => d.Target, d => d.BytesToCopy!.Value);
        FreeSpace.Ensure(layout.Directory, estimate.Values.Sum(), $"the backup of {domain.Name}");
        await execution.Journals.WriteAsync(journal.Name, journal, ct);
        CrashPoint.Reached("after-plan");

        var planned = progress is null ? null : new PlannedProgress(progress, BackupPlan.From(journal, estimate));
        if (journal.Point.Technique == BackupTechnique.Bitmap)
            return (await RunBitmapAsync(execution, journal, request, warnings, planned, ct)) with { RecoveredInterruptedRun = recoveredRun, Technique = BackupTechnique.Bitmap };
        planned?.Report(new BackupProgress(BackupStep.Snapshotting, 0, 0));
        bool quiesced;
        TimeSpan snapshotDuration;
        try
        {
            (quiesced, snapshotDuration) = await new SnapshotStep().RunAsync(domain, journal, request.Quiesce, warnings, ct);
        }
        catch when (!execution.SnapshotHappened(journal))
        {
            // The snapshot is atomic: it failed as a whole, nothing changed; forget the plan.
            execution.Journals.Delete(journal.Name);
            throw;
        }
        journal = journal with { Step = BackupJournalStep.Snapshotted, Point = journal.Point with { Quiesced = quiesced }, Warnings = warnings.ToList() };
        await execution.Journals.WriteAsync(journal.Name, journal, ct);
        CrashPoint.Reached("after-snapshot");

        try
        {
            journal = await execution.CopyAsync(journal, planned, ct);
        }
        catch (Exception failure)
        {
            var undone = await new BackupRollback(source, domain, layout, execution.Journals).RollBackAsync(journal, failure);
            if (failure is OperationCanceledException) throw;
            var cause = EngineBoundary.Wrap(failure, $"backup of {domain.Name}");
            // A full repository stays RepositoryFull; anything else that failed the copy is CopyFailed.
            var reason = cause.Reason is ErrorReason.RepositoryFull or ErrorReason.LibvirtUnreachable ? cause.Reason : ErrorReason.CopyFailed;
            throw new FibackupException(reason,
                $"backup of {domain.Name} failed while copying: {failure.Message}; {undone} and no restore point was recorded",
                cause.Field, failure);
        }
        var result = await execution.FinishAsync(journal, warnings, planned, ct);
        return result with { SnapshotDuration = snapshotDuration, RecoveredInterruptedRun = recoveredRun };
    }

    /// <summary>
    /// The bitmap technique: one backup job instead of Snapshot → Copy, no consolidation. When libvirt
    /// refuses the incremental because the previous checkpoint's bitmap is missing or broken (which
    /// the plan could not see), the run becomes a full with that reason, unless the user asked for an
    /// incremental: never an incremental from the wrong base.
    /// </summary>
    private async Task<BackupResult> RunBitmapAsync(BackupExecution execution, BackupJournal journal, BackupRequest request,
        List<string> warnings, PlannedProgress? planned, CancellationToken ct)
    {
        planned?.Report(new BackupProgress(BackupStep.Copying, 0, 0));
        try
        {
            journal = await new PushBackupStep(execution.Domain, execution.Layout, execution.Journals).RunAsync(journal, request.Quiesce, warnings, planned, ct);
        }
        catch (BitmapUnusableException e) when (journal.Point.Type == BackupType.Incremental)
        {
            if (request.Mode == BackupMode.Incremental)
                throw new InvalidInputException($"an incremental backup cannot continue the chain of domain {execution.Domain.Name}: {e.Message}; use mode auto or full; nothing was changed", EngineField.Mode, e);
            journal = await new BackupPlanner(time).PlanAsync(execution.Source.Images, execution.Domain, execution.Layout, request, warnings, ct,
                fullBecause: e.Message);
            await execution.Journals.WriteAsync(journal.Name, journal, ct);
            journal = await new PushBackupStep(execution.Domain, execution.Layout, execution.Journals).RunAsync(journal, request.Quiesce, warnings, planned, ct);
        }
        catch (FibackupException e) when (e.Reason == ErrorReason.QuiesceFailed)
        {
            throw; // refused before the job began: nothing to stop or remove, and the message says so
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            var cause = EngineBoundary.Wrap(failure, $"backup of {execution.Domain.Name}");
            var reason = cause.Reason is ErrorReason.RepositoryFull or ErrorReason.LibvirtUnreachable ? cause.Reason : ErrorReason.CopyFailed;
            throw new FibackupException(reason,
                $"backup of {execution.Domain.Name} failed: {failure.Message}; the backup job was stopped, its partial files and checkpoint removed, and no restore point was recorded",
                cause.Field, failure);
        }
        journal = journal with { Warnings = warnings.ToList() };
        return await execution.FinishAsync(journal, warnings, planned, ct);
    }

    /// <summary>Point ids of journaled (interrupted) backups that carry the key, before recovery settles them.</summary>
    private static IReadOnlyList<string> InterruptedRunsWithKey(JournalStore journals, string? key) =>
        key is null ? [] : journals.List(BackupJournal.Prefix)
            .Select(name => BackupJournal.Read(journals, name))
            .Where(j => j.Point.IdempotencyKey == key)
            .Select(j => j.PointId)
            .ToList();
}
