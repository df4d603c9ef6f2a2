using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Patching;

/// <summary>
/// Strategic merge patch for built-in kinds, as kubectl apply/patch send it. Upstream reads merge keys from
/// Go struct tags; this keeps a table of the common ones (containers by name, conditions by type, ...),
/// merges finalizers as a set, and honours $patch, $retainKeys, $deleteFromPrimitiveList and $setElementOrder.
/// Lists it does not know are replaced, as with a merge patch.
/// </summary>
public static class StrategicMergePatch
{
    private static readonly Dictionary<string, string> MergeKeys = new()
    {
        ["containers"] = "name", ["initContainers"] = "name", ["ephemeralContainers"] = "name",
        ["env"] = "name", ["volumes"] = "name", ["volumeMounts"] = "mountPath", ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort", ["ownerReferences"] = "uid", ["conditions"] = "type",
        ["imagePullSecrets"] = "name", ["hostAliases"] = "ip", ["secrets"] = "name",
    };

    private static readonly HashSet<string> PrimitiveSets = ["finalizers"];

    public static JsonObject Apply(JsonObject original, JsonObject patch) =>
        MergeMap(original.DeepClone() as JsonObject ?? new JsonObject(), patch) ?? new JsonObject();

    private static JsonObject? MergeMap(JsonObject target, JsonObject patch)
    {
        var directive = patch["$patch"]?.ToString();
        if (directive == "delete") return null;
        if (directive == "replace") return StripDirectives(patch);

        foreach (var (key, value) in patch)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal)) continue;
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (target[field] is JsonArray list && value is JsonArray removals)
                    foreach (var gone in removals)
                        for (var i = list.Count - 1; i >= 0; i--)
                            if (JsonNode.DeepEquals(list[i], gone)) list.RemoveAt(i);
                continue;
            }
            if (value is null)
            {
                target.Remove(key);
                continue;
            }
            var existing = target[key];
            if (value is JsonObject patchMap && existing is JsonObject targetMap)
            {
                var merged = MergeMap(targetMap, patchMap);
                if (merged is null) target.Remove(key);
                else if (!ReferenceEquals(merged, targetMap)) target[key] = merged;
            }
            else if (value is JsonArray patchList && existing is JsonArray targetList && MergeKeys.TryGetValue(key, out var mergeKey))
                MergeListByKey(targetList, patchList, mergeKey);
            else if (value is JsonArray additions && existing is JsonArray set && PrimitiveSets.Contains(key))
            {
                foreach (var item in additions)
                    if (!set.Any(s => JsonNode.DeepEquals(s, item))) set.Add(item?.DeepClone());
            }
            else target[key] = value is JsonObject o ? StripDirectives(o) : value.DeepClone();
        }

        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.ToString()).ToHashSet();
            foreach (var key in target.Select(p => p.Key).ToList())
                if (!keep.Contains(key)) target.Remove(key);
        }
        return target;
    }

    private static void MergeListByKey(JsonArray target, JsonArray patch, string mergeKey)
    {
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem)
            {
                target.Add(item?.DeepClone());
                continue;
            }
            var key = patchItem[mergeKey];
            var index = -1;
            for (var i = 0; i < target.Count; i++)
                if (JsonNode.DeepEquals(target[i]?[mergeKey], key)) { index = i; break; }
            if (patchItem["$patch"]?.ToString() == "delete")
            {
                if (index >= 0) target.RemoveAt(index);
            }
            else if (index >= 0 && target[index] is JsonObject existing)
            {
                var merged = MergeMap(existing, patchItem);
                if (!ReferenceEquals(merged, existing)) target[index] = merged;
            }
            else target.Add(StripDirectives(patchItem));
        }
    }

    private static JsonObject StripDirectives(JsonObject obj)
    {
        var clean = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key.StartsWith('$')) continue;
            clean[key] = value is JsonObject child ? StripDirectives(child) : value?.DeepClone();
        }
        return clean;
    }
}
