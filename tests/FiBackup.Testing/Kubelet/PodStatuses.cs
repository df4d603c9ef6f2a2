using System.Text.Json.Nodes;
using k8s.Models;

namespace FiBackup.Testing.Kubelet;

/// <summary>The pod statuses a kubelet reports, shaped as upstream's (phase, conditions, containerStatuses).</summary>
public static class PodStatuses
{
    public static JsonObject Running(V1Pod pod, PodProcess process) => new()
    {
        ["phase"] = "Running",
        ["hostIP"] = "127.0.0.1",
        ["podIP"] = "127.0.0.1",
        ["startTime"] = Time(process.StartedAt),
        ["conditions"] = Conditions(process.StartedAt, ready: true, reason: null),
        ["containerStatuses"] = new JsonArray(Container(pod, process, ready: true,
            new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(process.StartedAt) } })),
    };

    /// <summary>Succeeded on exit code 0, Failed otherwise; the container terminated with that code.</summary>
    public static JsonObject Terminated(V1Pod pod, PodProcess process, int exitCode)
    {
        var finished = process.FinishedAt ?? DateTime.UtcNow;
        return new JsonObject
        {
            ["phase"] = exitCode == 0 ? "Succeeded" : "Failed",
            ["hostIP"] = "127.0.0.1",
            ["podIP"] = "127.0.0.1",
            ["startTime"] = Time(process.StartedAt),
            ["conditions"] = Conditions(finished, ready: false, reason: "PodCompleted"),
            ["containerStatuses"] = new JsonArray(Container(pod, process, ready: false, new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = exitCode,
                    ["reason"] = exitCode == 0 ? "Completed" : "Error",
                    ["startedAt"] = Time(process.StartedAt),
                    ["finishedAt"] = Time(finished),
                    ["containerID"] = ContainerId(process),
                    ["message"] = TerminationMessage(pod, process, exitCode),
                },
            })),
        };
    }

    /// <summary>
    /// What the kubelet puts into state.terminated.message. These processes write no termination
    /// message file, so only terminationMessagePolicy FallbackToLogsOnError gives one: after a failure,
    /// the tail of the log, at most 80 lines and 2048 bytes (kubelet's MaxContainerTerminationMessageLog*).
    /// </summary>
    private static string? TerminationMessage(V1Pod pod, PodProcess process, int exitCode)
    {
        if (exitCode == 0 || pod.Spec.Containers[0].TerminationMessagePolicy != "FallbackToLogsOnError") return null;
        var lines = process.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var tail = string.Join('\n', lines.TakeLast(80));
        var bytes = System.Text.Encoding.UTF8.GetBytes(tail);
        return bytes.Length <= 2048 ? tail : System.Text.Encoding.UTF8.GetString(bytes, bytes.Length - 2048, 2048);
    }

    /// <summary>A container that could not be started (containerd: StartError, exit code 128).</summary>
    public static JsonObject StartFailed(V1Pod pod, string message)
    {
        var now = DateTime.UtcNow;
        return new JsonObject
        {
            ["phase"] = "Failed",
            ["hostIP"] = "127.0.0.1",
            ["startTime"] = Time(now),
            ["conditions"] = Conditions(now, ready: false, reason: "PodCompleted"),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = pod.Spec.Containers[0].Name,
                ["image"] = pod.Spec.Containers[0].Image,
                ["imageID"] = "",
                ["ready"] = false,
                ["started"] = false,
                ["restartCount"] = 0,
                ["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = 128, ["reason"] = "StartError", ["message"] = message,
                        ["startedAt"] = Time(now), ["finishedAt"] = Time(now),
                    },
                },
            }),
        };
    }

    private static JsonObject Container(V1Pod pod, PodProcess process, bool ready, JsonObject state) => new()
    {
        ["name"] = pod.Spec.Containers[0].Name,
        ["image"] = pod.Spec.Containers[0].Image,
        ["imageID"] = "",
        ["containerID"] = ContainerId(process),
        ["ready"] = ready,
        ["started"] = ready,
        ["restartCount"] = 0,
        ["state"] = state,
    };

    private static JsonArray Conditions(DateTime at, bool ready, string? reason)
    {
        JsonObject Condition(string type, bool status) => new()
        {
            ["type"] = type,
            ["status"] = status ? "True" : "False",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = Time(at),
            ["reason"] = status ? null : reason,
        };
        return new JsonArray(Condition("PodReadyToStartContainers", true), Condition("Initialized", true),
            Condition("Ready", ready), Condition("ContainersReady", ready), Condition("PodScheduled", true));
    }

    private static string ContainerId(PodProcess process) => $"local://{process.Id}";

    public static string Time(DateTime at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
