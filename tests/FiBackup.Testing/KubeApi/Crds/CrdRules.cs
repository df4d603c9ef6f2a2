using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Crds;

/// <summary>
/// The apiextensions rules for a CustomResourceDefinition: the cleanup finalizer, the checks that matter
/// (name is plural.group, one storage version, a schema per version) and the status the apiextensions
/// controllers would write at once here (NamesAccepted, Established, acceptedNames, storedVersions).
/// </summary>
public sealed class CrdRules(Func<DateTimeOffset> now) : IKindRules
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    public void PrepareForCreate(JsonObject crd)
    {
        var finalizers = crd.Finalizers();
        if (!finalizers.Contains(CleanupFinalizer)) finalizers.Add(CleanupFinalizer);
        crd.SetFinalizers(finalizers);
        Default(crd);
        crd["status"] = Status(crd, null);
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        Default(updated);
        updated["status"] = Status(updated, old["status"] as JsonObject);
    }

    private static void Default(JsonObject crd)
    {
        if (crd["spec"] is not JsonObject spec) return;
        spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
        if (spec["names"] is JsonObject names)
        {
            names["singular"] ??= names.GetString("kind")?.ToLowerInvariant();
            names["listKind"] ??= names.GetString("kind") + "List";
        }
    }

    private JsonObject Status(JsonObject crd, JsonObject? previous)
    {
        var time = JsonNodes.Timestamp(now());
        var names = crd["spec"]?["names"]?.DeepClone() ?? new JsonObject();
        var stored = new HashSet<string>((previous?["storedVersions"] as JsonArray ?? []).Select(v => v?.ToString() ?? ""));
        if (CustomResourceTypes.StorageVersion(crd) is { } storage) stored.Add(storage);
        string PreviousTime(string type) =>
            (previous?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == type)
                ?.GetString("lastTransitionTime") ?? time;
        return new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "NamesAccepted", ["status"] = "True", ["lastTransitionTime"] = PreviousTime("NamesAccepted"),
                    ["reason"] = "NoConflicts", ["message"] = "no conflicts found",
                },
                new JsonObject
                {
                    ["type"] = "Established", ["status"] = "True", ["lastTransitionTime"] = PreviousTime("Established"),
                    ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted",
                }),
            ["acceptedNames"] = names,
            ["storedVersions"] = new JsonArray(stored.Order().Select(v => (JsonNode?)v).ToArray()),
        };
    }

    public IEnumerable<FieldError> Validate(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        if (spec is null)
        {
            yield return FieldError.Required("spec");
            yield break;
        }
        var group = spec.GetString("group") ?? "";
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var plural = names.GetString("plural") ?? "";
        if (group.Length == 0) yield return FieldError.Required("spec.group");
        else if (!group.Contains('.')) yield return FieldError.Invalid("spec.group", group, "should be a domain with at least one dot");
        if (plural.Length == 0) yield return FieldError.Required("spec.names.plural");
        if ((names.GetString("kind") ?? "").Length == 0) yield return FieldError.Required("spec.names.kind");
        if (crd.Name() != $"{plural}.{group}")
            yield return FieldError.Invalid("metadata.name", crd.Name(), $"must be spec.names.plural+\".\"+spec.group");
        var scope = spec.GetString("scope") ?? "";
        if (scope is not ("Namespaced" or "Cluster"))
            yield return FieldError.NotSupported("spec.scope", scope, ["Cluster", "Namespaced"]);
        var versions = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (versions.Count == 0) yield return FieldError.Invalid("spec.versions", new JsonArray(), "must have exactly one version marked as storage version");
        else if (versions.Count(v => v["storage"]?.GetValue<bool>() == true) != 1)
            yield return FieldError.Invalid("spec.versions", JsonText.Serialize(spec["versions"]), "must have exactly one version marked as storage version");
        for (var i = 0; i < versions.Count; i++)
            if (versions[i]["schema"]?["openAPIV3Schema"] is not JsonObject)
                yield return FieldError.Required($"spec.versions[{i}].schema.openAPIV3Schema", "schemas are required");
    }
}
