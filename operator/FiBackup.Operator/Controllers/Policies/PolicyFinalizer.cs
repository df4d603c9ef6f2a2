using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// What deleting a policy does to its backups. Retain (the default): every VmBackup loses its owner
/// reference before the policy goes, so garbage collection leaves it, and the data stays — each
/// VmBackup's status says where its point is, so it can still be restored. Delete: the repository
/// data of every domain the policy backed up is removed, then the VmBackups (their own finalizers
/// have nothing left to drop).
/// </summary>
public sealed class PolicyFinalizer(ICluster cluster, IBackupEngine engine, ClaimDirectories claims, OperatorMetrics? metrics = null)
{
    public async Task<ReconcileResult> FinalizeAsync(VmBackupPolicy policy, CancellationToken ct)
    {
        if (!(policy.Metadata.Finalizers?.Contains(PolicyReconciler.Finalizer) ?? false)) return ReconcileResult.Done;
        var backups = cluster.List<VmBackup>(policy.Namespace).Where(b => PolicyRuns.BelongsTo(b, policy)).ToList();
        if (backups.Any(PolicyRuns.IsActive) && policy.Spec.DeletionPolicy == DeletionPolicy.Delete)
            return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(5)); // let running backups end first

        if (policy.Spec.DeletionPolicy == DeletionPolicy.Retain)
        {
            foreach (var backup in backups) await cluster.RemoveOwnerReferenceAsync(backup, policy.Metadata.Uid, ct);
            cluster.Event(policy, "Normal", "BackupsRetained", $"{backups.Count} VmBackup(s) and their restore points are kept (spec.deletionPolicy: Retain)");
        }
        else
        {
            var root = claims.Repository(policy.Namespace, policy.Spec.Destination.PersistentVolumeClaim.ClaimName,
                policy.Spec.Destination.PersistentVolumeClaim.SubPath, PolicySettings.ClaimField);
            var places = backups.Select(b => b.Status?.Repository).Where(r => r is not null)
                .Select(r => (r!.Host, r.Domain)).Distinct().ToList();
            foreach (var (host, domain) in places) await engine.DeleteDomainDataAsync(root, host, domain, ct);
            foreach (var backup in backups)
            {
                await cluster.RemoveFinalizerAsync(backup, VmBackup.Finalizer, ct);
                await cluster.DeleteAsync<VmBackup>(new ObjectKey(backup.Namespace, backup.Name), ct);
            }
            cluster.Event(policy, "Normal", "BackupsDeleted",
                $"{backups.Count} VmBackup(s) and the repository data of {places.Count} domain(s) were removed (spec.deletionPolicy: Delete)");
        }
        foreach (var domain in policy.Status?.Domains ?? []) metrics?.ForgetDomain(policy.Namespace, policy.Name, domain.Name);
        await cluster.RemoveFinalizerAsync(policy, PolicyReconciler.Finalizer, ct);
        return ReconcileResult.Done;
    }
}
