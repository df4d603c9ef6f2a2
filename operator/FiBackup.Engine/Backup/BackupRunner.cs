using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Backup.Steps;
using FiBackup.Engine.Consolidation;
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
/// </summary>
public sealed class BackupRunner(TimeProvider time)
{
    /// <summary>How long a run waits for another operation on the same domain before giving up.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    public async Task<BackupResult> RunAsync(IVmSource source, BackupRequest request,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        SafeName.Validate("--domain", request.Domain);
        using var domain = source.OpenDomain(request.Domain);
        var layout = RepositoryAccess.PrepareDomain(request.RepositoryRoot, source.Host, domain.Name);
        using var hostLock = DomainLock.Acquire(DomainLockPaths.ForHost(source.Uri, domain.Name),
            $"fibackup backup of {domain.Name}", LockWait, ct);
        using var repositoryLock = DomainLock.Acquire(layout.LockFile, $"fibackup backup of {domain.Name}", LockWait, ct);

        var warnings = new List<string>();
        var execution = new BackupExecution(domain, layout, time);
        await new BackupRecovery(execution).RecoverAsync(warnings, ct);

        var journal = await new BackupPlanner(time).PlanAsync(domain, layout, request, warnings, ct);
        FreeSpace.Ensure(layout.Directory, await execution.EstimateBytesAsync(journal, ct), $"the backup of {domain.Name}");
        await execution.Journals.WriteAsync(journal.Name, journal, ct);
        CrashPoint.Reached("after-plan");

        progress?.Report(new BackupProgress(BackupStep.Snapshotting, 0, 0));
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
        journal = journal with { Step = BackupJournalStep.Snapshotted, Quiesced = quiesced, Warnings = warnings.ToList() };
        await execution.Journals.WriteAsync(journal.Name, journal, ct);
        CrashPoint.Reached("after-snapshot");

        try
        {
            journal = await execution.CopyAsync(journal, progress, ct);
        }
        catch (Exception failure)
        {
            await new BackupRollback(domain, layout, execution.Journals).RollBackAsync(journal, failure);
            if (failure is OperationCanceledException) throw;
            throw new FibackupException(
                $"backup of {domain.Name} failed while copying: {failure.Message}; the snapshot was undone (the domain runs on its previous image) and no restore point was recorded",
                inner: failure);
        }
        var result = await execution.FinishAsync(journal, domain.Name, warnings, progress, ct);
        return result with { SnapshotDuration = snapshotDuration };
    }
}
