using FiBackup.Engine.Errors;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Policies;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Runtime;
using EngineBackup = FiBackup.Engine.Backup;

namespace FiBackup.Operator.Controllers.Backups;

/// <summary>
/// `kubectl delete vmbackup X` drops restore point X from the repository (through the engine, so
/// every other point stays restorable), then lets the object go. A backup still running is
/// cancelled first (the engine undoes its snapshot). A point already gone — dropped by retention,
/// or its data removed with its policy — needs nothing.
/// </summary>
public sealed class BackupDeletion(ICluster cluster, IBackupEngine engine, ClaimDirectories claims,
    IMover<VmBackup, EngineBackup.BackupProgress, EngineBackup.BackupResult> mover)
{
    public async Task<ReconcileResult> FinalizeAsync(VmBackup backup, CancellationToken ct)
    {
        if (!(backup.Metadata.Finalizers?.Contains(VmBackup.Finalizer) ?? false)) return ReconcileResult.Done;
        // Until the attempt is stopped (and its snapshot undone) its point may still appear.
        if (!await mover.StopAsync(backup, ct)) return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(2));
        if (backup.Status?.Repository is { } location)
        {
            var domain = location.Domain;
            try
            {
                var root = claims.Repository(backup.Namespace, location.ClaimName, location.SubPath, "status.repository.claimName");
                // Its point: the one its status names once Succeeded, or the one a cancelled run
                // recorded before its status said so (the manifest carries the VmBackup's UID).
                var named = backup.Status.Phase == OperationPhase.Succeeded ? backup.Status.RestorePoint : null;
                var points = engine.ListPoints(root, location.Host, domain)
                    .Where(p => p.Id == named || (p.IdempotencyKey is { } key && key == backup.Metadata.Uid))
                    .Select(p => p.Id).ToList();
                if (points.Count > 0)
                {
                    await engine.DropPointsAsync(root, location.Host, domain, points, ct);
                    cluster.Event(backup, "Normal", "RestorePointDropped", $"restore point {string.Join(", ", points)} of {domain} was removed from the repository");
                }
            }
            catch (Exception e) when (e is FibackupException or OperatorProblem)
            {
                cluster.Event(backup, "Warning", "DropFailed", $"the restore point of {domain} could not be removed: {e.Message}");
                throw;
            }
        }
        await cluster.RemoveFinalizerAsync(backup, VmBackup.Finalizer, ct);
        return ReconcileResult.Done;
    }
}
