using System.Text.Json.Nodes;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Builds an RFC 7386 JSON merge patch that turns one document into another: changed members are set,
/// removed members are nulled, nested objects are diffed member by member, arrays are replaced whole (merge
/// patch cannot address array items). Writing only the difference leaves fields others own untouched.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>The patch from <paramref name="before"/> to <paramref name="after"/>; empty when they are equal.</summary>
    public static JsonObject Diff(JsonObject before, JsonObject after)
    {
        var patch = new JsonObject();
        foreach (var (name, value) in after)
        {
            if (!before.TryGetPropertyValue(name, out var old))
                patch[name] = value?.DeepClone();
            else if (old is JsonObject oldObject && value is JsonObject newObject)
            {
                var nested = Diff(oldObject, newObject);
                if (nested.Count > 0) patch[name] = nested;
            }
            else if (!JsonNode.DeepEquals(old, value))
                patch[name] = value?.DeepClone();
        }
        foreach (var (name, _) in before)
            if (!after.ContainsKey(name)) patch[name] = null;
        return patch;
    }
}
