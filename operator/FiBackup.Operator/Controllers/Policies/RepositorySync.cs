using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Movers;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// Restore points of the policy's domains in its repository (under its source's host) without a VmBackup — a
/// rebuilt cluster, a re-created policy — get one, annotated as synced; the backup controller fills
/// its status from the manifest. A point belongs to an existing VmBackup when the manifest's
/// idempotency key is that object's UID (a backup that recorded its point but has not written its
/// status yet) or when the object's status names the point.
/// </summary>
public sealed class RepositorySync(ICluster cluster, IBackupEngine engine)
{
    /// <param name="justStarted">
    /// Domains whose backup this reconcile created: the cache may not hold that VmBackup yet, while a
    /// fast backup may already have recorded its point; syncing them now would give the point a
    /// second VmBackup. They are synced at a later reconcile.
    /// </param>
    public async Task<int> SyncAsync(VmBackupPolicy policy, PolicySettings settings, CancellationToken ct,
        IReadOnlySet<string>? justStarted = null)
    {
        var backups = cluster.List<VmBackup>(policy.Namespace);
        var uids = backups.Select(b => b.Metadata.Uid).ToHashSet();
        var known = backups
            .Where(b => b.Status?.RestorePoint is not null || b.IsSynced())
            .Select(b => (b.Spec.Domain, Point: b.Status?.RestorePoint ?? b.Metadata.Annotations![VmBackup.SyncedAnnotation]))
            .ToHashSet();
        // A backup of the domain still running may have recorded its point a moment ago. One set, not a
        // scan of every VmBackup per domain: with 1000 one-domain policies on one repository that scan
        // was ~40 % of the operator's CPU (bench/operator.sh).
        var active = backups.Where(PolicyRuns.IsActive).Select(b => b.Spec.Domain).ToHashSet(StringComparer.Ordinal);
        var created = 0;
        // Only the policy's own domains: a repository may be shared by several policies, and each
        // syncs what it backs up (reading one domain's manifests, not every domain's, per sync).
        var selected = settings.Selection.Domains.ToHashSet(StringComparer.Ordinal);
        foreach (var (host, domain) in engine.ListDomainsInRepository(settings.RepositoryRoot))
        {
            if (host != settings.Source.Host || !selected.Contains(domain)) continue;
            if (active.Contains(domain) || justStarted?.Contains(domain) == true) continue;
            foreach (var point in engine.ListPoints(settings.RepositoryRoot, host, domain))
            {
                if (point.IdempotencyKey is { } key && uids.Contains(key)) continue;
                if (known.Contains((domain, point.Id))) continue;
                var backup = PolicyRuns.NewBackup(policy, domain, BackupNames.ForSyncedPoint(policy.Name, domain, point.Id));
                backup.Metadata.Annotations = new Dictionary<string, string> { [VmBackup.SyncedAnnotation] = point.Id };
                if (await cluster.CreateAsync(backup, ct)) created++;
            }
        }
        if (created > 0)
            cluster.Event(policy, "Normal", "RestorePointsSynced", $"{created} restore point(s) found in the repository got a VmBackup");
        return created;
    }
}
