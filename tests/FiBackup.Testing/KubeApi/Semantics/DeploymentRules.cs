using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>
/// apps/v1 Deployment: the defaults kube-apiserver fills in (replicas, strategy, history limit, progress
/// deadline, pod template defaults), a required selector that must match the template's labels. No deployment
/// controller runs here, so status stays as a test writes it.
/// </summary>
public sealed class DeploymentRules : IKindRules
{
    public void PrepareForCreate(JsonObject deployment)
    {
        deployment["status"] = new JsonObject();
        Default(deployment);
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old) => Default(updated);

    private static void Default(JsonObject deployment)
    {
        if (deployment["spec"] is not JsonObject spec) return;
        spec["replicas"] ??= 1;
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        spec["strategy"] ??= new JsonObject
        {
            ["type"] = "RollingUpdate",
            ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" },
        };
        if (spec.Walk("template.spec") is JsonObject pod)
        {
            pod["restartPolicy"] ??= "Always";
            pod["terminationGracePeriodSeconds"] ??= 30;
            pod["dnsPolicy"] ??= "ClusterFirst";
            pod["schedulerName"] ??= "default-scheduler";
            pod["securityContext"] ??= new JsonObject();
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject deployment)
    {
        var spec = deployment["spec"] as JsonObject;
        if (spec?["selector"] is not JsonObject selector)
        {
            yield return FieldError.Required("spec.selector");
            yield break;
        }
        var labels = spec.Walk("template.metadata.labels") as JsonObject ?? [];
        var wanted = selector["matchLabels"] as JsonObject ?? [];
        if (wanted.Any(pair => labels.GetString(pair.Key) != pair.Value?.ToString()))
            yield return FieldError.Invalid("spec.template.metadata.labels", GoMap(labels), "`selector` does not match template `labels`");
        if (spec.Walk("template.spec.containers") is not JsonArray { Count: > 0 })
            yield return FieldError.Required("spec.template.spec.containers");
    }

    /// <summary>Go's %#v of a map[string]string, keys sorted.</summary>
    private static string GoMap(JsonObject labels) =>
        "map[string]string{" + string.Join(", ", labels.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{GoFormat.Quote(p.Key)}:{GoFormat.Quote(p.Value?.ToString() ?? "")}")) + "}";
}

/// <summary>policy/v1 PodDisruptionBudget: the zeroed status of a new budget, and minAvailable xor maxUnavailable.</summary>
public sealed class PodDisruptionBudgetRules : IKindRules
{
    public void PrepareForCreate(JsonObject pdb) =>
        pdb["status"] = new JsonObject { ["disruptionsAllowed"] = 0, ["currentHealthy"] = 0, ["desiredHealthy"] = 0, ["expectedPods"] = 0 };

    public IEnumerable<FieldError> Validate(JsonObject pdb)
    {
        if (pdb["spec"] is JsonObject spec && spec["minAvailable"] is not null && spec["maxUnavailable"] is not null)
            yield return FieldError.Invalid("spec", JsonText.Serialize(spec), "minAvailable and maxUnavailable cannot be both set");
    }
}
