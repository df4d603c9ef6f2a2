using System.Text.Json.Nodes;
using k8s.Models;

namespace FiBackup.Testing.Kubelet;

/// <summary>
/// What the Job controller (kube-controller-manager) decides for a Job from its pods: counts,
/// startTime, and the terminal conditions — SuccessCriteriaMet then Complete (reason
/// CompletionsReached), or FailureTarget then Failed (reason BackoffLimitExceeded) once more pods
/// failed than spec.backoffLimit allows. completionTime is set only on success, as upstream.
/// </summary>
public static class JobStatuses
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";

    public sealed record Decision(JsonObject Status, bool NeedsPod);

    public static bool IsFinished(V1Job job) =>
        job.Status?.Conditions?.Any(c => c.Type is Complete or Failed && c.Status == "True") == true;

    public static Decision Decide(V1Job job, IReadOnlyList<V1Pod> pods, DateTime now)
    {
        var active = pods.Count(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is null or "Pending" or "Running");
        var ready = pods.Count(p => p.Status?.Phase == "Running");
        var succeeded = pods.Count(p => p.Status?.Phase == "Succeeded");
        var failed = pods.Count(p => p.Status?.Phase == "Failed");
        var completions = job.Spec.Completions ?? 1;
        var backoffLimit = job.Spec.BackoffLimit ?? 6;

        var status = new JsonObject
        {
            ["startTime"] = PodStatuses.Time(job.Status?.StartTime ?? now),
            ["active"] = active > 0 ? active : null,
            ["ready"] = ready,
            ["terminating"] = 0,
            ["succeeded"] = succeeded > 0 ? succeeded : null,
            ["failed"] = failed > 0 ? failed : null,
            ["uncountedTerminatedPods"] = new JsonObject(),
        };
        var needsPod = false;
        if (succeeded >= completions)
        {
            status["conditions"] = Conditions(now,
                ("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
                (Complete, "CompletionsReached", "Reached expected number of succeeded pods"));
            status["completionTime"] = PodStatuses.Time(now);
        }
        else if (failed > backoffLimit)
        {
            status["conditions"] = Conditions(now,
                ("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                (Failed, "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
        }
        else
        {
            needsPod = active == 0;
        }
        return new Decision(status, needsPod);
    }

    private static JsonArray Conditions(DateTime now, params (string Type, string Reason, string Message)[] conditions) =>
        new(conditions.Select(c => (JsonNode)new JsonObject
        {
            ["type"] = c.Type,
            ["status"] = "True",
            ["lastProbeTime"] = PodStatuses.Time(now),
            ["lastTransitionTime"] = PodStatuses.Time(now),
            ["reason"] = c.Reason,
            ["message"] = c.Message,
        }).ToArray());
}
