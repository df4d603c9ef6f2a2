using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// status.domains of a policy, recomputed from what is there: the domain's VmBackups (last one,
/// its phase, the last success, failures since) and its restore points in the repository.
/// </summary>
public static class PolicyDomainStatuses
{
    public static PolicyDomainStatus For(VmBackupPolicyStatus status, string domain)
    {
        var entry = status.Domains.FirstOrDefault(d => d.Name == domain);
        if (entry is null)
        {
            entry = new PolicyDomainStatus { Name = domain };
            status.Domains.Add(entry);
            status.Domains.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        return entry;
    }

    public static void Refresh(VmBackupPolicy policy, PolicySettings settings, ICluster cluster, IBackupEngine engine)
    {
        var status = policy.Status!;
        var backups = cluster.List<VmBackup>(policy.Namespace)
            .Where(b => PolicyRuns.BelongsTo(b, policy))
            .OrderBy(b => b.Metadata.CreationTimestamp).ThenBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var domain in settings.Selection.Domains)
        {
            var entry = For(status, domain);
            var own = backups.Where(b => b.Spec.Domain == domain && !Backups.VmBackupExtensions.IsSynced(b)).ToList();
            var last = own.LastOrDefault();
            entry.LastBackup = last?.Name;
            entry.LastResult = last?.Status?.Phase?.ToString() ?? (last is null ? null : nameof(OperationPhase.Pending));
            var successes = own.Where(b => b.Status?.Phase == OperationPhase.Succeeded).ToList();
            entry.LastSuccessfulTime = successes.Select(b => b.Status!.CompletionTime).Where(t => t is not null).DefaultIfEmpty(entry.LastSuccessfulTime).Max();
            var sinceSuccess = successes.Count == 0 ? own : own.SkipWhile(b => b != successes[^1]).Skip(1);
            entry.ConsecutiveFailures = sinceSuccess.Count(b => b.Status?.Phase == OperationPhase.Failed);

            var points = engine.ListPoints(settings.RepositoryRoot, settings.Source.Host, domain);
            entry.RestorePoints = points.Count;
            entry.ChainLength = points.Count == 0 ? 0 : points.Count(p => p.Chain == points[^1].Chain);
        }
        status.Domains.RemoveAll(d => !settings.Selection.Domains.Contains(d.Name) && d.LastBackup is null);

        var results = status.Domains.Where(d => settings.Selection.Domains.Contains(d.Name)).Select(d => d.LastResult).ToList();
        status.LastResult = results.Count == 0 || results.All(r => r is null) ? null
            : results.Any(r => r is "Pending" or "Running") ? "Running"
            : results.All(r => r is "Succeeded" or null) ? "Succeeded"
            : results.All(r => r is "Failed" or null) ? "Failed"
            : "PartiallyFailed";
    }
}
