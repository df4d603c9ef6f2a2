using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Runtime;
using k8s.Models;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// One run of a policy: a VmBackup per selected domain, named after the policy, the domain and the
/// schedule slot, so a restarted operator re-running the slot finds its objects instead of making
/// second ones. A domain whose previous backup is still Pending or Running is skipped and counted
/// (status.domains[].skippedRuns), not queued behind it.
/// </summary>
public sealed class PolicyRuns(ICluster cluster)
{
    /// <summary>The domains this instance started a backup of (the cache may not show those VmBackups yet).</summary>
    public HashSet<string> Started { get; } = new(StringComparer.Ordinal);

    public async Task StartAsync(VmBackupPolicy policy, PolicySettings settings, DateTime slot, string trigger, CancellationToken ct)
    {
        var backups = cluster.List<VmBackup>(policy.Namespace).Where(b => BelongsTo(b, policy)).ToList();
        var created = new List<string>();
        var skipped = new List<string>();
        foreach (var domain in settings.Selection.Domains)
        {
            var name = BackupNames.ForRun(policy.Name, domain, slot);
            var previous = backups.Where(b => b.Spec.Domain == domain && b.Name != name).ToList();
            if (previous.Any(IsActive))
            {
                skipped.Add(domain);
                PolicyDomainStatuses.For(policy.Status!, domain).SkippedRuns++;
                continue;
            }
            Started.Add(domain);
            if (await cluster.CreateAsync(NewBackup(policy, domain, name), ct)) created.Add(name);
        }
        if (created.Count > 0)
            cluster.Event(policy, "Normal", "RunStarted", $"run for {slot:u} ({trigger}): created {string.Join(", ", created)}");
        if (skipped.Count > 0)
            cluster.Event(policy, "Warning", "RunSkipped",
                $"run for {slot:u}: skipped {string.Join(", ", skipped)}: the previous backup is still running");
    }

    public static bool BelongsTo(VmBackup backup, VmBackupPolicy policy) =>
        backup.Spec.PolicyRef?.Name == policy.Name
        && ((backup.Metadata.Labels is { } labels && labels.TryGetValue(VmBackup.PolicyLabel, out var label) && label == policy.Name)
            || backup.Metadata.OwnerReferences?.Any(o => o.Uid == policy.Metadata.Uid) == true);

    public static bool IsActive(VmBackup backup) =>
        backup.Metadata.DeletionTimestamp is null
        && backup.Status?.Phase is null or OperationPhase.Pending or OperationPhase.Running
        && !backup.IsSynced();

    public static VmBackup NewBackup(VmBackupPolicy policy, string domain, string name) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = policy.Namespace,
            Labels = new Dictionary<string, string>
            {
                [VmBackup.PolicyLabel] = policy.Name,
                [VmBackup.DomainLabel] = BackupNames.LabelValue(domain),
            },
            Finalizers = [VmBackup.Finalizer],
            OwnerReferences =
            [
                new V1OwnerReference
                {
                    ApiVersion = ApiGroup.ApiVersion, Kind = VmBackupPolicy.KindName, Name = policy.Name,
                    Uid = policy.Metadata.Uid, Controller = true, BlockOwnerDeletion = true,
                },
            ],
        },
        Spec = new VmBackupSpec { PolicyRef = new LocalReference { Name = policy.Name }, Domain = domain, Mode = policy.Spec.Mode },
    };
}
