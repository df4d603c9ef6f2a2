using FiBackup.Engine.Errors;
using FiBackup.Engine.Restore;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Controllers.Restores;
using FiBackup.Operator.Runtime;
using k8s;

namespace FiBackup.Operator.Movers.Jobs;

/// <summary>
/// `fibackup mover restore`: the body of a restore Job's pod. Reads its VmRestore and the VmBackup
/// it names, makes the engine call of <see cref="RestoreOrder"/> (as the in-process mover), and
/// writes the restored domain and disks and its report into the VmRestore's status.
/// </summary>
public sealed class RestoreInPod(IKubernetes client, MoverPodContext context)
{
    public async Task<MoverExit> RunAsync(string @namespace, string name, CancellationToken ct)
    {
        var restores = new ResourceClient<VmRestore>(client, ResourceKind<VmRestore>.FromEntity());
        var restore = await restores.GetAsync(@namespace, name, ct)
                      ?? throw new OperatorProblem("RestoreNotFound", $"VmRestore \"{name}\" not found in namespace \"{@namespace}\"", retryable: false);
        var reporter = new StatusReporter<VmRestore>(restores, restore, context.Time);
        await reporter.WriteAsync(r => MoverReports.Started(r.Status ??= new VmRestoreStatus(), context.PodName, context.Time.GetUtcNow()), ct);
        try
        {
            var backupName = restore.Spec.BackupRef.Name;
            var backup = await new ResourceClient<VmBackup>(client, ResourceKind<VmBackup>.FromEntity()).GetAsync(@namespace, backupName, ct);
            if (backup?.Status is not { Phase: OperationPhase.Succeeded, RestorePoint: not null, Repository: not null })
                throw new OperatorProblem(OperatorReason.BackupNotSucceeded,
                    $"spec.backupRef.name: VmBackup \"{backupName}\" is {(backup is null ? "not found" : backup.Status?.Phase?.ToString() ?? "Pending")}, not Succeeded", retryable: false);
            var plan = RestoreOrder.For(restore, backup, context.Claims);
            var result = await context.Engine.RestoreAsync(plan.Host, plan.Request, new Progress<RestoreProgress>(), ct);
            string message = "";
            await reporter.WriteAsync(r =>
            {
                message = RestoreOrder.Record(r.Status!, result);
                MoverReports.Succeeded(r.Status!, message, 0);
            }, CancellationToken.None);
            return new MoverExit(0, message);
        }
        catch (Exception e) when (e is not OperationCanceledException || ct.IsCancellationRequested)
        {
            var failure = ct.IsCancellationRequested
                ? new EngineFailure(ErrorReason.Interrupted, "the mover was stopped (its pod or Job was deleted); images it wrote may be left in spec.target.directory", false)
                : EngineCalls.Failure(e, RestoreOrder.Fields, "restore");
            await reporter.WriteAsync(r => MoverReports.Failed(r.Status!, failure), CancellationToken.None);
            return MoverExit.Of(failure);
        }
    }
}
