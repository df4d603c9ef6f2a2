using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;
using k8s.Models;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// Keeps one VmBackupPolicy converged: a valid spec and reachable surroundings make it Ready; a due
/// schedule slot (or a new fibackup.io/run-now value) makes one VmBackup per selected domain; the
/// status reports the schedule and each domain's last backup and repository state; restore points
/// found in the repository without a VmBackup get one. Deleting the policy orphans or removes its
/// backups as spec.deletionPolicy says (<see cref="PolicyFinalizer"/>).
/// </summary>
public sealed class PolicyReconciler(ICluster cluster, IBackupEngine engine, ClaimDirectories claims, TimeProvider time) : IReconciler
{
    public const string Finalizer = "fibackup.io/policy-cleanup";

    public OperatorMetrics? Metrics { get; init; }

    // When each policy (by UID) last looked for restore points without a VmBackup. In memory: a new
    // operator, or a re-created policy, syncs at its first reconcile; then once per ResyncInterval,
    // not on every status change of its backups (which would read the repository each time).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> lastSync = new();

    /// <summary>How often a policy is looked at even when nothing changes (repository sync, status refresh).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How soon a policy whose surroundings are wrong (a claim not bound yet) is looked at again.</summary>
    public TimeSpan ProblemRetryInterval { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken ct)
    {
        var policy = cluster.Get<VmBackupPolicy>(key);
        if (policy is null) return ReconcileResult.Done;
        if (policy.Metadata.DeletionTimestamp is not null)
            return await new PolicyFinalizer(cluster, engine, claims, Metrics).FinalizeAsync(policy, ct);

        policy.Status ??= new VmBackupPolicyStatus();
        return await cluster.ConvergeWithOneStatusWriteAsync(policy, () => ConvergeAsync(policy, ct));
    }

    private async Task<ReconcileResult> ConvergeAsync(VmBackupPolicy policy, CancellationToken ct)
    {
        var status = policy.Status!;
        var now = time.GetUtcNow().UtcDateTime;
        status.ObservedGeneration = policy.Metadata.Generation;

        var invalid = SpecChecks.Policy(policy.Spec);
        if (invalid is not null)
        {
            SetReady(policy, false, OperatorReason.InvalidSpec, invalid, now);
            status.NextScheduleTime = null;
            return ReconcileResult.Done;
        }
        if (!(policy.Metadata.Finalizers?.Contains(Finalizer) ?? false))
            await cluster.AddFinalizerAsync(policy, Finalizer, ct);

        PolicySettings settings;
        try
        {
            settings = await PolicySettings.ResolveAsync(policy, cluster, engine, claims, ct);
        }
        catch (OperatorProblem problem)
        {
            SetReady(policy, false, problem.Reason, problem.Message, now);
            status.NextScheduleTime = null;
            return ReconcileResult.RequeueAfter(ProblemRetryInterval);
        }

        var schedule = new PolicySchedule(policy.Spec.Schedule, policy.Spec.TimeZone, policy.Spec.StartingDeadlineSeconds);
        var runs = new PolicyRuns(cluster);
        var handledUntil = Latest(status.LastScheduleTime, status.LastMissedScheduleTime, policy.Metadata.CreationTimestamp) ?? now;
        var decision = schedule.Decide(handledUntil, now);
        if (!policy.Spec.Suspend)
        {
            if (decision.NewestMissed is { } missed)
            {
                status.MissedRuns += decision.Missed;
                status.LastMissedScheduleTime = missed;
                cluster.Event(policy, "Warning", "MissedSchedule",
                    $"the run scheduled for {missed:u} is {(now - missed).TotalSeconds:0} s late, past spec.startingDeadlineSeconds ({policy.Spec.StartingDeadlineSeconds}); skipped");
            }
            else if (decision.Missed > 0)
            {
                status.MissedRuns += decision.Missed;
            }
            if (decision.RunFor is { } due)
            {
                await runs.StartAsync(policy, settings, due, "schedule", ct);
                status.LastScheduleTime = due;
            }
        }
        var runNow = policy.Metadata.Annotations is { } annotations && annotations.TryGetValue(VmBackupPolicy.RunNowAnnotation, out var value) ? value : null;
        if (!string.IsNullOrEmpty(runNow) && runNow != status.LastRunNow
            && await RunNowStillUnansweredAsync(policy, runNow, ct))
        {
            // A slot of its own, so a second run-now within the same second still gets new VmBackup names.
            var slot = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            if (status.LastScheduleTime is { } last && slot <= last.ToUniversalTime()) slot = last.ToUniversalTime().AddSeconds(1);
            await runs.StartAsync(policy, settings, slot, $"{VmBackupPolicy.RunNowAnnotation}={runNow}", ct);
            status.LastRunNow = runNow;
            status.LastScheduleTime = Latest(status.LastScheduleTime, slot, null);
        }

        status.NextScheduleTime = policy.Spec.Suspend ? null : decision.Next;
        if (SyncDue(policy, now))
        {
            await new RepositorySync(cluster, engine).SyncAsync(policy, settings, ct, runs.Started);
            // Domains just started are left for the next reconcile, which comes when their backups change.
            if (runs.Started.Count == 0) lastSync[policy.Metadata.Uid] = now;
        }
        PolicyDomainStatuses.Refresh(policy, settings, cluster, engine);
        foreach (var domain in status.Domains)
            Metrics?.RepositoryObserved(policy.Namespace, policy.Name, domain.Name, domain.RestorePoints, domain.ChainLength);
        SetReady(policy, true, policy.Spec.Suspend ? OperatorReason.Suspended : OperatorReason.Scheduled,
            ReadyMessage(policy, settings), now);

        var wait = ResyncInterval;
        if (status.NextScheduleTime is { } next && next - now < wait) wait = next - now + TimeSpan.FromMilliseconds(50);
        return ReconcileResult.RequeueAfter(wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
    }

    /// <summary>
    /// The cache may not show yet the status that answered this value (the reconcile that did it
    /// has finished: one key is never reconciled twice at once, so its status write is done). A
    /// run-now slot comes from the clock, so a stale look would start a second run: ask the API
    /// server. One read per run-now, which users set by hand.
    /// </summary>
    private async Task<bool> RunNowStillUnansweredAsync(VmBackupPolicy policy, string runNow, CancellationToken ct)
    {
        var live = await cluster.GetLatestAsync<VmBackupPolicy>(ObjectKey.Of(policy), ct);
        if (live?.Status?.LastRunNow != runNow) return true;
        policy.Status!.LastRunNow = runNow;
        policy.Status.LastScheduleTime = live.Status.LastScheduleTime;
        return false;
    }

    private bool SyncDue(VmBackupPolicy policy, DateTime now) =>
        !lastSync.TryGetValue(policy.Metadata.Uid, out var last) || now - last >= ResyncInterval;

    private static string ReadyMessage(VmBackupPolicy policy, PolicySettings settings)
    {
        var domains = settings.Selection.Domains;
        var list = string.Join(", ", domains.Take(5)) + (domains.Count > 5 ? $" and {domains.Count - 5} more" : "");
        var when = policy.Spec.Suspend ? "suspended" : $"on \"{policy.Spec.Schedule}\" ({policy.Spec.TimeZone ?? "UTC"})";
        return $"backs up {domains.Count} domain(s) of {policy.Spec.Source.Libvirt!.Uri} ({list}) {when}";
    }

    private void SetReady(VmBackupPolicy policy, bool ready, string reason, string message, DateTime now)
    {
        var conditions = policy.Status!.Conditions;
        var previous = Conditions.Get(conditions, ConditionTypes.Ready);
        var changed = previous is null || previous.Status != (ready ? "True" : "False") || previous.Reason != reason || previous.Message != message;
        Conditions.Set(conditions, ConditionTypes.Ready, ready ? Conditions.True : Conditions.False, reason, message, policy.Metadata.Generation, now);
        if (!ready && changed) cluster.Event(policy, "Warning", reason, message);
    }

    private static DateTime? Latest(params DateTime?[] times)
    {
        DateTime? latest = null;
        foreach (var time in times)
        {
            if (time is { } t && (latest is null || t.ToUniversalTime() > latest)) latest = t.ToUniversalTime();
        }
        return latest;
    }
}
