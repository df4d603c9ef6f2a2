using FiBackup.Engine.Prune;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Runtime;

namespace FiBackup.Operator.Controllers.Backups;

/// <summary>
/// After each successful backup, the policy's retention runs on the domain through the engine's
/// prune (retained points stay restorable byte for byte; the repository holds only points that
/// succeeded, and the newest is never dropped), then the VmBackups of the dropped points are
/// deleted — their finalizers find the points already gone.
/// </summary>
public sealed class RetentionAfterBackup(ICluster cluster, IBackupEngine engine)
{
    public async Task ApplyAsync(VmBackup backup, RetentionSpec retention, string repository, CancellationToken ct)
    {
        var policy = new RetentionPolicy(retention.KeepLast ?? 0, retention.KeepDaily ?? 0, retention.KeepWeekly ?? 0, retention.KeepMonthly ?? 0);
        if (policy.Rules.All(r => r.Count == 0)) return;
        var location = backup.Status!.Repository!;
        var dropped = await engine.PruneAsync(repository, location.Host, location.Domain, policy, ct);
        if (dropped.Count == 0) return;
        var droppedSet = dropped.ToHashSet();
        var objects = cluster.List<VmBackup>(backup.Namespace)
            .Where(b => b.Status?.Repository is { } r && r.Host == location.Host && r.Domain == location.Domain
                        && b.Status.RestorePoint is { } p && droppedSet.Contains(p)
                        && b.Status.Phase == OperationPhase.Succeeded)
            .ToList();
        foreach (var old in objects) await cluster.DeleteAsync<VmBackup>(new ObjectKey(old.Namespace, old.Name), ct);
        cluster.Event(backup, "Normal", "RetentionApplied",
            $"retention ({policy}) dropped {dropped.Count} restore point(s) of {location.Domain}: {string.Join(", ", dropped)}");
    }
}
