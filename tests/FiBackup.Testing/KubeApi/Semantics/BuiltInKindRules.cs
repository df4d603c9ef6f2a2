using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>Secret: stringData is write-only and merged into base64 data; type defaults to Opaque.</summary>
public sealed class SecretRules : IKindRules
{
    public void PrepareForCreate(JsonObject obj) => Normalize(obj);
    public void PrepareForUpdate(JsonObject updated, JsonObject old) => Normalize(updated);

    private static void Normalize(JsonObject secret)
    {
        if (secret["data"] is JsonObject data)
        {
            foreach (var (key, value) in data)
            {
                var text = value?.GetValue<string>() ?? "";
                Span<byte> buffer = new byte[text.Length];
                if (!Convert.TryFromBase64String(text, buffer, out _))
                    throw ApiErrors.BadRequest($"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0 (data[{key}])");
            }
        }
        if (secret["stringData"] is JsonObject stringData)
        {
            var merged = secret["data"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in stringData)
                merged[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            secret["data"] = merged;
            secret.Remove("stringData");
        }
        if (secret.GetString("type") is null or "") secret["type"] = "Opaque";
    }
}

/// <summary>Namespace: the "kubernetes" finalizer, phase Active and the kubernetes.io/metadata.name label.</summary>
public sealed class NamespaceRules : IKindRules
{
    public bool NameIsDnsLabel => true;

    public void PrepareForCreate(JsonObject ns)
    {
        ns["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        ns["status"] = new JsonObject { ["phase"] = "Active" };
        SetNameLabel(ns);
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        // spec.finalizers changes only through /finalize; the namespace lifecycle controller owns it.
        updated["spec"] = old["spec"]?.DeepClone();
        SetNameLabel(updated);
    }

    private static void SetNameLabel(JsonObject ns)
    {
        var meta = ns.Metadata();
        var labels = meta["labels"] as JsonObject ?? new JsonObject();
        labels["kubernetes.io/metadata.name"] = ns.Name();
        meta["labels"] = labels;
    }
}

/// <summary>Pod: no kubelet here, so a Pod stays Pending unless a test writes its status.</summary>
public sealed class PodRules : IKindRules
{
    public void PrepareForCreate(JsonObject pod)
    {
        pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
        if (pod["spec"] is JsonObject spec && spec["restartPolicy"] is null) spec["restartPolicy"] = "Always";
    }

    public IEnumerable<FieldError> Validate(JsonObject pod)
    {
        if (pod["spec"]?["containers"] is not JsonArray { Count: > 0 })
            yield return FieldError.Required("spec.containers");
    }
}

/// <summary>PersistentVolumeClaim: no provisioner here, so a claim stays Pending unless a test binds it.</summary>
public sealed class PersistentVolumeClaimRules : IKindRules
{
    public void PrepareForCreate(JsonObject pvc)
    {
        pvc["status"] = new JsonObject { ["phase"] = "Pending" };
        if (pvc["spec"] is JsonObject spec && spec["volumeMode"] is null) spec["volumeMode"] = "Filesystem";
    }
}

/// <summary>
/// Job: the defaults and labels batch/v1 adds (parallelism, completions, backoffLimit, the controller-uid
/// selector) and the restartPolicy rule that trips many hand-written Jobs.
/// </summary>
public sealed class JobRules : IKindRules
{
    public void PrepareForCreate(JsonObject job)
    {
        job["status"] = new JsonObject();
        if (job["spec"] is not JsonObject spec) return;
        spec["parallelism"] ??= 1;
        spec["completions"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
        spec["manualSelector"] ??= false;

        var uid = job.Uid() ?? "";
        var name = job.Name() ?? "";
        if (spec["selector"] is null)
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
        if (spec["template"] is JsonObject template)
        {
            var meta = template.Metadata();
            var labels = meta["labels"] as JsonObject ?? new JsonObject();
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = name;
            labels["controller-uid"] = uid;
            labels["job-name"] = name;
            meta["labels"] = labels;
            if (template["spec"] is JsonObject podSpec) podSpec["restartPolicy"] ??= "Always";
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject job)
    {
        if (job["spec"]?["template"] is not JsonObject template)
        {
            yield return FieldError.Required("spec.template");
            yield break;
        }
        var restart = template["spec"]?["restartPolicy"]?.GetValue<string>() ?? "Always";
        if (restart is not ("OnFailure" or "Never"))
            yield return FieldError.NotSupported("spec.template.spec.restartPolicy", restart, ["OnFailure", "Never"]);
        if (template["spec"]?["containers"] is not JsonArray { Count: > 0 })
            yield return FieldError.Required("spec.template.spec.containers");
    }
}
