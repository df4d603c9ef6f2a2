using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Patching;

/// <summary>
/// The set of field paths a manager applied, in managedFields' FieldsV1 form ({"f:spec":{".":{},"f:domain":{}}}).
/// Lists are owned whole (atomic), which is what server-side apply does for lists without list-type map/set.
/// </summary>
public static class FieldSet
{
    public static JsonObject FromObject(JsonObject applied)
    {
        var set = new JsonObject();
        foreach (var (key, value) in applied)
        {
            if (key is "apiVersion" or "kind") continue;
            if (key == "metadata" && value is JsonObject meta)
            {
                var metaSet = new JsonObject();
                foreach (var (mk, mv) in meta)
                    if (mk is "labels" or "annotations" or "finalizers" or "ownerReferences")
                        metaSet["f:" + mk] = Child(mv);
                if (metaSet.Count > 0) set["f:metadata"] = metaSet;
                continue;
            }
            set["f:" + key] = Child(value);
        }
        return set;
    }

    private static JsonObject Child(JsonNode? value)
    {
        if (value is not JsonObject obj || obj.Count == 0) return new JsonObject();
        var set = new JsonObject { ["."] = new JsonObject() };
        foreach (var (key, child) in obj) set["f:" + key] = Child(child);
        return set;
    }

    /// <summary>Every leaf path of the set, as property-name arrays.</summary>
    public static IEnumerable<string[]> Paths(JsonObject? set, string[]? prefix = null)
    {
        prefix ??= [];
        if (set is null) yield break;
        foreach (var (key, child) in set)
        {
            if (!key.StartsWith("f:", StringComparison.Ordinal)) continue;
            var path = prefix.Append(key[2..]).ToArray();
            yield return path;
            foreach (var nested in Paths(child as JsonObject, path)) yield return nested;
        }
    }
}
