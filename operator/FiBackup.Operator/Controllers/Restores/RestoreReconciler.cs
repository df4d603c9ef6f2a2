using FiBackup.Engine.Errors;
using FiBackup.Engine.Restore;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;

namespace FiBackup.Operator.Controllers.Restores;

/// <summary>
/// Restores the point of spec.backupRef to spec.target: a new domain (a copy with a new UUID and
/// MACs) when target.domain names one, the original domain again when it no longer exists, or in
/// place over the shut-off domain when target.inPlace. Everything it needs comes from the VmBackup's
/// status, so it works after the policy is gone.
/// </summary>
public sealed class RestoreReconciler(
    ICluster cluster, ClaimDirectories claims, TimeProvider time,
    IMover<VmRestore, RestoreProgress, RestoreResult> mover, IBackupEngine engine, OperatorMetrics metrics) : IReconciler
{
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken ct)
    {
        var restore = cluster.Get<VmRestore>(key);
        if (restore is null || restore.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
        if (restore.Status?.Phase is OperationPhase.Succeeded or OperationPhase.Failed)
        {
            mover.Forget(restore);
            return ReconcileResult.Done;
        }
        restore.Status ??= new VmRestoreStatus();
        var attempt = await mover.ObserveAsync(restore, ct);
        var result = await cluster.ConvergeWithOneStatusWriteAsync(restore, () => ConvergeAsync(restore, attempt, ct));
        // Reached only when the status write went through; see RunningOperations.MarkRecorded.
        if (attempt is MoverState<RestoreProgress, RestoreResult>.Done)
            mover.OutcomeRecorded(restore, final: restore.Status.Phase is OperationPhase.Succeeded or OperationPhase.Failed);
        return result;
    }

    private async Task<ReconcileResult> ConvergeAsync(VmRestore restore, MoverState<RestoreProgress, RestoreResult> attempt, CancellationToken ct)
    {
        var status = restore.Status!;
        var now = time.GetUtcNow().UtcDateTime;
        status.ObservedGeneration = restore.Metadata.Generation;
        status.Phase ??= OperationPhase.Pending;
        if (SpecChecks.Restore(restore.Spec) is { } invalid) return Fail(restore, OperatorReason.InvalidSpec, invalid);

        switch (attempt)
        {
            case MoverState<RestoreProgress, RestoreResult>.Recorded:
                return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(1)); // the cache lags our final write
            case MoverState<RestoreProgress, RestoreResult>.Running running:
                return ReconcileResult.RequeueAfter(running.Latest is null ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30));
            case MoverState<RestoreProgress, RestoreResult>.Done finished:
                return Finish(restore, finished.Outcome, now);
        }

        if (status.Phase == OperationPhase.Running)
            return Fail(restore, "Interrupted",
                "the operator stopped during this restore; images it wrote may be left in spec.target.directory: check them, then create a new VmRestore");
        var backupName = restore.Spec.BackupRef.Name;
        var backup = cluster.Get<VmBackup>(new ObjectKey(restore.Namespace, backupName));
        if (backup is null)
            return Wait(restore, OperatorReason.BackupNotFound, $"spec.backupRef.name: VmBackup \"{backupName}\" not found in namespace \"{restore.Namespace}\"");
        if (backup.Status is not { Phase: OperationPhase.Succeeded, RestorePoint: not null, Repository: not null })
        {
            if (backup.Status?.Phase == OperationPhase.Failed)
                return Fail(restore, OperatorReason.BackupNotSucceeded, $"spec.backupRef.name: VmBackup \"{backupName}\" failed; it has no restore point");
            return Wait(restore, OperatorReason.BackupNotSucceeded, $"spec.backupRef.name: VmBackup \"{backupName}\" is {backup.Status?.Phase ?? OperationPhase.Pending}, not Succeeded yet");
        }
        RestoreOrder plan;
        try
        {
            plan = RestoreOrder.For(restore, backup, claims);
        }
        catch (OperatorProblem problem)
        {
            return Wait(restore, problem.Reason, problem.Message);
        }
        var (request, location, point, host) = plan;
        status.Phase = OperationPhase.Running;
        status.StartTime ??= now;
        status.RestorePoint = point;
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.True, OperatorReason.Running,
            $"restoring point {point} of {location.Domain} to {request.NewName ?? location.Domain} in {request.TargetDirectory}", restore.Metadata.Generation, now);
        await mover.StartAsync(restore, new MoverRun<RestoreProgress, RestoreResult>(
            "restore", location.NodeName, location.ClaimName,
            async (progress, token) =>
            {
                using var inFlight = metrics.OperationStarted(OperationKind.Restore);
                return await engine.RestoreAsync(host, request, progress, token);
            },
            e => MoverFailed<RestoreResult>.From(EngineCalls.Failure(e, RestoreOrder.Fields, "restore"))), ct);
        cluster.Event(restore, "Normal", "RestoreStarted", $"restoring {location.Domain} point {point}");
        return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(30));
    }

    private ReconcileResult Finish(VmRestore restore, MoverOutcome<RestoreResult> outcome, DateTime now)
    {
        var status = restore.Status!;
        switch (outcome)
        {
            case MoverCancelled<RestoreResult>:
                return ReconcileResult.Done;
            case MoverFailed<RestoreResult> failed:
                metrics.RestoreFinished(restore.Namespace, false);
                return Fail(restore, failed.Reason, failed.Message);
        }
        var succeeded = (MoverSucceeded<RestoreResult>)outcome;
        metrics.RestoreFinished(restore.Namespace, true);
        // In-process: the engine's result goes into the status here; a Job's mover wrote it already.
        var message = succeeded.Result is { } result ? RestoreOrder.Record(status, result) : succeeded.Message ?? "restored";
        status.Phase = OperationPhase.Succeeded;
        status.CompletionTime = now;
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.False, OperatorReason.Succeeded, message, restore.Metadata.Generation, now);
        Conditions.Set(status.Conditions, ConditionTypes.Complete, Conditions.True, OperatorReason.Succeeded, message, restore.Metadata.Generation, now);
        cluster.Event(restore, "Normal", "RestoreSucceeded", message);
        return ReconcileResult.Done;
    }

    private ReconcileResult Wait(VmRestore restore, string reason, string message)
    {
        var status = restore.Status!;
        var changed = Conditions.Get(status.Conditions, ConditionTypes.Progressing)?.Message != message;
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.True, reason, message, restore.Metadata.Generation, time.GetUtcNow().UtcDateTime);
        if (changed) cluster.Event(restore, "Warning", reason, message);
        return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(10));
    }

    private ReconcileResult Fail(VmRestore restore, string reason, string message)
    {
        var status = restore.Status!;
        var now = time.GetUtcNow().UtcDateTime;
        status.Phase = OperationPhase.Failed;
        status.CompletionTime = now;
        Conditions.Set(status.Conditions, ConditionTypes.Progressing, Conditions.False, reason, message, restore.Metadata.Generation, now);
        Conditions.Set(status.Conditions, ConditionTypes.Failed, Conditions.True, reason, message, restore.Metadata.Generation, now);
        cluster.Event(restore, "Warning", reason, message);
        return ReconcileResult.Done;
    }
}
