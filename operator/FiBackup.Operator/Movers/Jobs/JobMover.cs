using System.Collections.Concurrent;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.Operator.Movers.Jobs;

/// <summary>
/// `--mover job`: each attempt is a batch/v1 Job (<see cref="MoverJobs"/>) whose pod runs
/// `fibackup mover ...`; that mover writes progress and its result into the object's status
/// (status.mover and the result fields). This side reads the Job from the informer's cache and
/// turns its end into an outcome: the mover's own report when it wrote one, else MoverFailed (the
/// pod died: killed, evicted, OOM), MoverDeleted (the Job went away) or MoverNotStarted (no mover
/// reported within the start timeout; the Job is deleted so it cannot start late).
/// </summary>
public sealed class JobMover<TObject, TProgress, TResult>(
    IKubernetes client, Informer<V1Job> jobs, JobMoverOptions options, TimeProvider time,
    Func<TObject, IMoverStatus?> statusOf, Func<TObject, bool> isRunning)
    : IMover<TObject, TProgress, TResult>
    where TObject : class, IKubernetesObject<V1ObjectMeta>
    where TProgress : class
    where TResult : class
{
    public const string MoverFailed = "MoverFailed";
    public const string MoverDeleted = "MoverDeleted";
    public const string MoverNotStarted = "MoverNotStarted";

    // Jobs whose outcome a reconcile wrote while the object stays Running (a busy domain): not to be read again.
    private readonly ConcurrentDictionary<string, string> recorded = new();

    public async Task<MoverState<TProgress, TResult>> ObserveAsync(TObject obj, CancellationToken ct)
    {
        var report = statusOf(obj)?.Mover;
        if (!isRunning(obj) || report is not { Job.Length: > 0 }
            || recorded.TryGetValue(obj.Metadata.Uid, out var done) && done == report.Job)
            return new MoverState<TProgress, TResult>.Idle();

        var now = time.GetUtcNow();
        var started = report.StartTime is { } s ? new DateTimeOffset(s, TimeSpan.Zero) : now;
        if (Reported(report) is { } outcome) return new MoverState<TProgress, TResult>.Done(started, outcome);

        var job = jobs.Get(obj.Metadata.NamespaceProperty, report.Job)
                  ?? await ReadJobAsync(obj.Metadata.NamespaceProperty, report.Job, ct); // just created: the cache may lag
        if (job is null || job.Metadata.DeletionTimestamp is not null)
            return Failed(started, MoverDeleted, $"Job {report.Job} was deleted before its mover reported a result");
        if (Condition(job, "Failed") is { } failed)
            return Failed(started, MoverFailed,
                $"Job {report.Job} failed ({failed.Reason}: {failed.Message}) before its mover reported a result{await PodStateAsync(job, ct)}");
        if (Condition(job, "Complete") is { } complete)
        {
            // The mover writes its result before it exits; the object's cache may not show it yet.
            if (now - (complete.LastTransitionTime ?? now.UtcDateTime) < options.ReportGrace)
                return new MoverState<TProgress, TResult>.Running(started, null);
            return Failed(started, MoverFailed, $"Job {report.Job} completed, but its mover reported no result");
        }
        var created = job.Metadata.CreationTimestamp ?? now.UtcDateTime;
        if (report.StartTime is null && now - created > options.StartTimeout)
        {
            // The pod's state is read first: deleting the Job (background propagation) takes its pod with it.
            var podState = await PodStateAsync(job, ct);
            await DeleteJobAsync(obj.Metadata.NamespaceProperty, report.Job, ct);
            return Failed(started, MoverNotStarted,
                $"Job {report.Job}: no mover started within {(int)options.StartTimeout.TotalSeconds} s{podState}; the Job was deleted");
        }
        return new MoverState<TProgress, TResult>.Running(started, null);
    }

    public async Task StartAsync(TObject obj, MoverRun<TProgress, TResult> run, CancellationToken ct)
    {
        var status = statusOf(obj) ?? throw new InvalidOperationException($"{obj.Kind} {obj.Metadata.Name} has no status");
        var attempt = (status.Mover?.Attempt ?? 0) + 1;
        var job = MoverJobs.Build(obj, run.Verb, attempt, run.NodeName, run.ClaimName, options);
        try
        {
            await ApiErrors.RetryTransientAsync(() => client.BatchV1.CreateNamespacedJobAsync(job, job.Metadata.NamespaceProperty, cancellationToken: ct), ct);
        }
        catch (HttpOperationException e) when (ApiErrors.IsAlreadyExists(e))
        {
            // An operator that stopped after creating it, before its status write: that Job is this attempt.
            var existing = await ReadJobAsync(job.Metadata.NamespaceProperty, job.Metadata.Name, ct);
            if (existing?.Metadata.OwnerReferences?.Any(o => o.Uid == obj.Metadata.Uid) != true)
                throw new OperatorProblem(MoverFailed,
                    $"Job {job.Metadata.Name} exists in namespace {job.Metadata.NamespaceProperty} and is not this {obj.Kind}'s; delete it", retryable: true);
        }
        status.Mover = new MoverReport { Job = job.Metadata.Name, Attempt = attempt };
    }

    public void OutcomeRecorded(TObject obj, bool final)
    {
        if (statusOf(obj)?.Mover?.Job is { } job) recorded[obj.Metadata.Uid] = job;
    }

    public void Forget(TObject obj) => recorded.TryRemove(obj.Metadata.Uid, out _);

    public async Task<bool> StopAsync(TObject obj, CancellationToken ct)
    {
        Forget(obj);
        var name = statusOf(obj)?.Mover?.Job;
        if (string.IsNullOrEmpty(name)) return true;
        var job = jobs.Get(obj.Metadata.NamespaceProperty, name);
        if (job is null) return true;
        if (Condition(job, "Complete") is not null || Condition(job, "Failed") is not null) return true;
        // Its pod is killed (SIGTERM: the engine undoes its snapshot) before the Job goes.
        await DeleteJobAsync(obj.Metadata.NamespaceProperty, name, ct);
        return false;
    }

    public IReadOnlyList<ObjectKey> Running() =>
        jobs.List()
            .Where(j => Condition(j, "Complete") is null && Condition(j, "Failed") is null)
            .SelectMany(j => (j.Metadata.OwnerReferences ?? []).Where(o => o.Controller == true)
                .Select(o => new ObjectKey(j.Metadata.NamespaceProperty, o.Name)))
            .ToList();

    private static MoverOutcome<TResult>? Reported(MoverReport report) => report.Result switch
    {
        "Succeeded" => new MoverSucceeded<TResult>(null, report.Message, report.BytesCopied ?? 0),
        "Failed" => new MoverFailed<TResult>(report.Reason ?? MoverFailed, report.Message ?? $"the mover of Job {report.Job} failed", report.Retryable ?? true),
        _ => null,
    };

    private static MoverState<TProgress, TResult>.Done Failed(DateTimeOffset started, string reason, string message) =>
        new(started, new MoverFailed<TResult>(reason, message, Retryable: true));

    private static V1JobCondition? Condition(V1Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private async Task<V1Job?> ReadJobAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            return await client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task DeleteJobAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            // Background: a Job deleted with the API's default (orphan) would leave its pod running.
            await client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>", pod P: ..." from the Job's pods, for the message a user reads; empty when none can be read.</summary>
    private async Task<string> PodStateAsync(V1Job job, CancellationToken ct)
    {
        try
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(job.Metadata.NamespaceProperty,
                labelSelector: $"batch.kubernetes.io/job-name={job.Metadata.Name}", cancellationToken: ct);
            var pod = pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
            if (pod is null) return ", no pod was created";
            var state = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State;
            return state?.Terminated is { } t
                ? $", pod {pod.Metadata.Name} exited with code {t.ExitCode} ({t.Reason}){LastLine(t.Message)}"
                : $", pod {pod.Metadata.Name} is {pod.Status?.Phase ?? "Pending"}{(state?.Waiting is { } w ? $" ({w.Reason})" : "")}";
        }
        catch (HttpOperationException)
        {
            return "";
        }
    }

    /// <summary>": LINE", the last line of a termination message (the mover's error), or empty.</summary>
    private static string LastLine(string? message) =>
        message?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } line
            ? ": " + line
            : "";
}
