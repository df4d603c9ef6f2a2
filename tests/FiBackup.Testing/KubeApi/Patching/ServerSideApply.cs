using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Patching;

/// <summary>
/// Server-side apply (application/apply-patch+yaml) as far as kubectl apply --server-side needs it: the applied
/// configuration merges into the live object, fields the same manager applied before and dropped now are removed
/// (unless another manager applied them too), and the manager's field set is recorded in managedFields.
/// Ownership conflicts are not detected: every apply behaves as if --force-conflicts were given.
/// </summary>
public static class ServerSideApply
{
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string manager, string apiVersion, string? subresource, DateTimeOffset now)
    {
        var result = live?.Clone() ?? new JsonObject();
        var entries = (result["metadata"] as JsonObject)?["managedFields"] as JsonArray ?? [];
        var previous = entries.OfType<JsonObject>().FirstOrDefault(e => IsEntry(e, manager, subresource));
        var othersSets = entries.OfType<JsonObject>().Where(e => !IsEntry(e, manager, subresource))
            .Select(e => e["fieldsV1"] as JsonObject).ToList();

        Merge(result, applied);

        var newSet = FieldSet.FromObject(applied);
        var stillApplied = FieldSet.Paths(newSet).Select(Key).ToHashSet();
        var ownedByOthers = othersSets.SelectMany(s => FieldSet.Paths(s)).Select(Key).ToHashSet();
        foreach (var dropped in FieldSet.Paths(previous?["fieldsV1"] as JsonObject).OrderByDescending(p => p.Length))
        {
            var key = Key(dropped);
            if (stillApplied.Contains(key) || ownedByOthers.Contains(key)) continue;
            if (stillApplied.Any(k => k.StartsWith(key + "\u0000", StringComparison.Ordinal))) continue;
            RemovePath(result, dropped);
        }

        var entry = new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = apiVersion,
            ["time"] = JsonNodes.Timestamp(now),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = newSet,
        };
        if (subresource is not null) entry["subresource"] = subresource;
        var kept = new JsonArray(entries.OfType<JsonObject>().Where(e => !IsEntry(e, manager, subresource)).Select(e => (JsonNode?)e.DeepClone()).ToArray());
        kept.Add(entry);
        result.Metadata()["managedFields"] = kept;
        return result;
    }

    private static bool IsEntry(JsonObject entry, string manager, string? subresource) =>
        entry.GetString("manager") == manager && entry.GetString("operation") == "Apply" && entry.GetString("subresource") == subresource;

    private static string Key(string[] path) => string.Join('\u0000', path);

    private static void Merge(JsonObject target, JsonObject applied)
    {
        foreach (var (key, value) in applied)
        {
            if (value is JsonObject map && target[key] is JsonObject existing) Merge(existing, map);
            else target[key] = value?.DeepClone();
        }
    }

    private static void RemovePath(JsonObject root, string[] path)
    {
        JsonObject? node = root;
        foreach (var part in path[..^1])
        {
            node = node?[part] as JsonObject;
            if (node is null) return;
        }
        node?.Remove(path[^1]);
    }
}
