using System.Collections.Concurrent;
using FiBackup.Engine.Errors;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Policies;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;
using EngineBackup = FiBackup.Engine.Backup;

namespace FiBackup.Operator.Controllers.Backups;

/// <summary>
/// Drives one VmBackup from Pending to Succeeded or Failed. The engine runs in a mover
/// (<see cref="IMover{TObject,TProgress,TResult}"/>: in this process, or in a Job); a reconcile
/// writes the latest progress of an in-process run, and the one that sees the attempt end its outcome. A failure is retried up to the policy's backoffLimit with
/// growing delays. After an operator restart a Running backup is simply started again: the engine
/// gets the VmBackup's UID as idempotency key and finishes or undoes the interrupted run, so there
/// is never a second restore point and never a Failed backup whose point exists.
/// </summary>
public sealed class BackupReconciler(
    ICluster cluster, IBackupEngine engine, ClaimDirectories claims, TimeProvider time,
    IMover<VmBackup, EngineBackup.BackupProgress, EngineBackup.BackupResult> mover, OperatorMetrics metrics) : IReconciler
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> retryAt = new();

    public TimeSpan ConcurrencyRecheck { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan BusyRecheck { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How soon to look again when the cache has not yet caught up with our final status write.</summary>
    public TimeSpan CacheLagRecheck { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a backup whose Job runs is looked at besides the Job's own changes (start timeouts).</summary>
    public TimeSpan JobRecheck { get; init; } = TimeSpan.FromSeconds(10);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken ct)
    {
        var backup = cluster.Get<VmBackup>(key);
        if (backup is null) return ReconcileResult.Done;
        if (backup.Metadata.DeletionTimestamp is not null)
            return await new BackupDeletion(cluster, engine, claims, mover).FinalizeAsync(backup, ct);
        if (!(backup.Metadata.Finalizers?.Contains(VmBackup.Finalizer) ?? false))
            await cluster.AddFinalizerAsync(backup, VmBackup.Finalizer, ct);
        if (backup.IsFinished())
        {
            mover.Forget(backup);
            return ReconcileResult.Done;
        }

        backup.Status ??= new VmBackupStatus();
        // An outcome seen before converging is what this reconcile writes down.
        var attempt = await mover.ObserveAsync(backup, ct);
        var result = await cluster.ConvergeWithOneStatusWriteAsync(backup, () => ConvergeAsync(backup, attempt, ct));
        // Reached only when the status write went through.
        if (attempt is MoverState<EngineBackup.BackupProgress, EngineBackup.BackupResult>.Done)
            mover.OutcomeRecorded(backup, final: backup.IsFinished()); // not final: retried, or resumed by the next leader
        return result;
    }

    private async Task<ReconcileResult> ConvergeAsync(VmBackup backup, MoverState<EngineBackup.BackupProgress, EngineBackup.BackupResult> attempt, CancellationToken ct)
    {
        var status = backup.Status!;
        var now = time.GetUtcNow();
        status.ObservedGeneration = backup.Metadata.Generation;
        status.Phase ??= OperationPhase.Pending;

        if (SpecChecks.Backup(backup.Spec) is { } invalid)
        {
            Fail(backup, OperatorReason.InvalidSpec, invalid);
            return ReconcileResult.Done;
        }

        BackupSettings settings;
        string repository;
        try
        {
            settings = BackupSettings.Resolve(backup, cluster);
            repository = await RepositoryRoots.ResolveAsync(cluster, claims, backup.Namespace, settings.Destination, settings.ClaimField, ct);
        }
        catch (OperatorProblem problem) when (problem.Retryable && !backup.IsSynced())
        {
            SetWaiting(backup, problem.Reason, problem.Message);
            return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(15));
        }
        catch (OperatorProblem problem)
        {
            Fail(backup, problem.Reason, problem.Message);
            return ReconcileResult.Done;
        }

        if (backup.IsSynced()) return await FillFromRepositoryAsync(backup, settings, repository, ct);

        switch (attempt)
        {
            case MoverState<EngineBackup.BackupProgress, EngineBackup.BackupResult>.Recorded:
                return ReconcileResult.RequeueAfter(CacheLagRecheck);
            case MoverState<EngineBackup.BackupProgress, EngineBackup.BackupResult>.Running running:
                // A Job's mover writes its own progress (Latest is null); an in-process run's is written here.
                if (running.Latest is { } progress) BackupStatusWriter.Progress(status, progress, running.Started, now);
                return ReconcileResult.RequeueAfter(running.Latest is null ? JobRecheck : TimeSpan.FromSeconds(30));
            case MoverState<EngineBackup.BackupProgress, EngineBackup.BackupResult>.Done finished:
                return await FinishAsync(backup, settings, repository, finished, ct);
            default:
                return await StartAsync(backup, settings, repository, ct);
        }
    }

    private async Task<ReconcileResult> StartAsync(VmBackup backup, BackupSettings settings, string repository, CancellationToken ct)
    {
        var status = backup.Status!;
        var now = time.GetUtcNow();
        if (retryAt.TryGetValue(backup.Metadata.Uid, out var at) && at > now) return ReconcileResult.RequeueAfter(at - now);
        if (settings.PolicyName is { } policyName && RunningFor(backup.Namespace, policyName) >= settings.MaxParallel)
        {
            SetWaiting(backup, OperatorReason.Pending, $"waiting: {settings.MaxParallel} backup(s) of VmBackupPolicy {policyName} already run (spec.concurrency.maxParallel)");
            return ReconcileResult.RequeueAfter(ConcurrencyRecheck);
        }

        SourceInventory inventory;
        try
        {
            inventory = await EngineCalls.ListDomainsAsync(engine, settings.Connection(backup.Namespace), settings.UriField, ct);
        }
        catch (OperatorProblem problem)
        {
            return RecordFailure(backup, settings, problem.Reason, problem.Message, problem.Retryable);
        }
        if (!inventory.Domains.Contains(backup.Spec.Domain))
            return RecordFailure(backup, settings, "DomainNotFound", $"spec.domain: domain \"{backup.Spec.Domain}\" not found on {settings.Source.Uri}", retryable: false);

        var resumed = status.Phase == OperationPhase.Running;
        status.Phase = OperationPhase.Running;
        status.StartTime ??= now.UtcDateTime;
        status.Repository = new RepositoryLocation
        {
            ClaimName = settings.Destination.PersistentVolumeClaim.ClaimName,
            SubPath = settings.Destination.PersistentVolumeClaim.SubPath,
            Host = inventory.Host,
            Domain = backup.Spec.Domain,
            LibvirtUri = settings.Source.Uri,
            CredentialsSecretRef = settings.Source.CredentialsSecretRef,
            NodeName = settings.Source.NodeName,
        };
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.True, OperatorReason.Running,
            $"backing up domain {backup.Spec.Domain} of {settings.Source.Uri}", backup.Metadata.Generation, now.UtcDateTime);
        var request = settings.Request(backup, repository);
        var what = $"backup of {backup.Spec.Domain}";
        await mover.StartAsync(backup, new MoverRun<EngineBackup.BackupProgress, EngineBackup.BackupResult>(
            "backup", settings.Source.NodeName, settings.Destination.PersistentVolumeClaim.ClaimName,
            async (progress, token) =>
            {
                using var inFlight = metrics.OperationStarted(OperationKind.Backup);
                return await engine.BackupAsync(settings.Connection(backup.Namespace), request, progress, token);
            },
            e => MoverFailed<EngineBackup.BackupResult>.From(EngineCalls.Failure(e, settings.Fields, what))), ct);
        cluster.Event(backup, "Normal", resumed ? "BackupResumed" : "BackupStarted",
            resumed ? $"resuming the backup of {backup.Spec.Domain} after an operator restart" : $"backing up {backup.Spec.Domain} ({backup.Spec.Mode})");
        return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(30));
    }

    private async Task<ReconcileResult> FinishAsync(VmBackup backup, BackupSettings settings, string repository,
        MoverState<EngineBackup.BackupProgress, EngineBackup.BackupResult>.Done finished, CancellationToken ct)
    {
        var status = backup.Status!;
        var now = time.GetUtcNow();
        var duration = now - finished.Started;
        switch (finished.Outcome)
        {
            case MoverCancelled<EngineBackup.BackupResult>:
                // Leadership lost or shutting down: the next leader starts it again.
                return ReconcileResult.Done;
            case MoverFailed<EngineBackup.BackupResult> { Reason: ErrorReason.DomainBusy } busy:
                // Not a failure of this backup: another operation (or a dead holder's lease, until it
                // expires) has the domain. Wait without spending an attempt of spec.backoffLimit.
                retryAt[backup.Metadata.Uid] = now + BusyRecheck;
                SetWaiting(backup, ErrorReason.DomainBusy, busy.Message);
                return ReconcileResult.RequeueAfter(BusyRecheck);
            case MoverFailed<EngineBackup.BackupResult> failed:
                metrics.BackupFinished(backup.Namespace, settings.PolicyName ?? "", backup.Spec.Domain, false, duration, 0, now);
                return RecordFailure(backup, settings, failed.Reason, failed.Message, failed.Retryable);
        }
        var succeeded = (MoverSucceeded<EngineBackup.BackupResult>)finished.Outcome;
        // In-process: the engine's result goes into the status here; a Job's mover wrote it already.
        if (succeeded.Result is { } result) BackupStatusWriter.Result(status, result);
        status.Phase = OperationPhase.Succeeded;
        status.Step = null;
        status.CompletionTime = now.UtcDateTime;
        var outcome = succeeded.Result?.Outcome switch
        {
            EngineBackup.BackupOutcome.AlreadyDone => " (found already made by an earlier attempt)",
            EngineBackup.BackupOutcome.FinishedInterrupted => " (an interrupted attempt was finished)",
            _ => succeeded.Message is { Length: > 0 } note ? $" ({note})" : "",
        };
        var message = $"{status.Type} restore point {status.RestorePoint} of {backup.Spec.Domain}: {status.Size}{outcome}";
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.False, OperatorReason.Succeeded, message, backup.Metadata.Generation, now.UtcDateTime);
        Conditions.Set(status.Conditions, ConditionTypes.Complete, Conditions.True, OperatorReason.Succeeded, message, backup.Metadata.Generation, now.UtcDateTime);
        status.Conditions.RemoveAll(c => c.Type == ConditionTypes.Failed);
        cluster.Event(backup, "Normal", "BackupSucceeded", message);
        metrics.BackupFinished(backup.Namespace, settings.PolicyName ?? "", backup.Spec.Domain, true, duration,
            succeeded.Result?.Bytes ?? succeeded.BytesCopied, now);
        retryAt.TryRemove(backup.Metadata.Uid, out _);

        if (settings.Policy?.Retention is { } retention)
            await new RetentionAfterBackup(cluster, engine).ApplyAsync(backup, retention, repository, ct);
        return ReconcileResult.Done;
    }

    private ReconcileResult RecordFailure(VmBackup backup, BackupSettings settings, string reason, string message, bool retryable)
    {
        var status = backup.Status!;
        var now = time.GetUtcNow();
        status.Failures++;
        if (status.Failures <= settings.BackoffLimit)
        {
            var delay = FirstRetryDelay * Math.Pow(2, status.Failures - 1);
            retryAt[backup.Metadata.Uid] = now + delay;
            status.Phase = OperationPhase.Pending;
            status.Step = null;
            Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.True, OperatorReason.Retrying,
                $"attempt {status.Failures} failed ({reason}): {message}; retrying in {BackupStatusWriter.Duration(delay)} ({status.Failures} of spec.backoffLimit {settings.BackoffLimit})",
                backup.Metadata.Generation, now.UtcDateTime);
            cluster.Event(backup, "Warning", reason, message);
            return ReconcileResult.RequeueAfter(delay);
        }
        Fail(backup, reason, message + (retryable ? $" (gave up after {status.Failures} attempts: spec.backoffLimit is {settings.BackoffLimit})" : ""));
        return ReconcileResult.Done;
    }

    private void Fail(VmBackup backup, string reason, string message)
    {
        var status = backup.Status!;
        var now = time.GetUtcNow().UtcDateTime;
        status.Phase = OperationPhase.Failed;
        status.Step = null;
        status.CompletionTime = now;
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.False, reason, message, backup.Metadata.Generation, now);
        Conditions.Set(status.Conditions, ConditionTypes.Failed, Conditions.True, reason, message, backup.Metadata.Generation, now);
        cluster.Event(backup, "Warning", reason, message);
        retryAt.TryRemove(backup.Metadata.Uid, out _);
    }

    private void SetWaiting(VmBackup backup, string reason, string message)
    {
        var status = backup.Status!;
        status.Phase = status.Phase == OperationPhase.Running ? OperationPhase.Running : OperationPhase.Pending;
        var changed = Conditions.Get(status.Conditions, ConditionTypes.Progressing)?.Message != message;
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.True, reason, message, backup.Metadata.Generation, time.GetUtcNow().UtcDateTime);
        if (changed && reason != OperatorReason.Pending) cluster.Event(backup, "Warning", reason, message);
    }

    private int RunningFor(string @namespace, string policy) =>
        mover.Running().Count(k => k.Namespace == @namespace && cluster.Get<VmBackup>(k)?.Spec.PolicyRef?.Name == policy);

    private Task<ReconcileResult> FillFromRepositoryAsync(VmBackup backup, BackupSettings settings, string repository, CancellationToken ct)
    {
        var status = backup.Status!;
        var now = time.GetUtcNow().UtcDateTime;
        var pointId = backup.Metadata.Annotations![VmBackup.SyncedAnnotation];
        var domain = backup.Spec.Domain;
        var found = engine.ListDomainsInRepository(repository)
            .Where(d => d.Domain == domain)
            .Select(d => (d.Host, Point: engine.ListPoints(repository, d.Host, domain).FirstOrDefault(p => p.Id == pointId)))
            .FirstOrDefault(d => d.Point is not null);
        if (found.Point is null)
        {
            Fail(backup, "PointNotFound", $"metadata.annotations[{VmBackup.SyncedAnnotation}]: restore point {pointId} of domain {domain} is not in the repository");
            return Task.FromResult(ReconcileResult.Done);
        }
        BackupStatusWriter.Manifest(status, found.Point);
        status.Repository = new RepositoryLocation
        {
            ClaimName = settings.Destination.PersistentVolumeClaim.ClaimName,
            SubPath = settings.Destination.PersistentVolumeClaim.SubPath,
            Host = found.Host, Domain = domain, LibvirtUri = settings.Source.Uri,
            CredentialsSecretRef = settings.Source.CredentialsSecretRef, NodeName = settings.Source.NodeName,
        };
        status.Phase = OperationPhase.Succeeded;
        var message = $"restore point {pointId} of {domain} found in the repository";
        Conditions.Set(status.Conditions, ConditionTypes.Complete, Conditions.True, "SyncedFromRepository", message, backup.Metadata.Generation, now);
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.False, "SyncedFromRepository", message, backup.Metadata.Generation, now);
        _ = ct;
        return Task.FromResult(ReconcileResult.Done);
    }
}
