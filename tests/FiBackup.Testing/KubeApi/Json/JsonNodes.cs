using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Json;

/// <summary>Small accessors for untyped Kubernetes objects held as <see cref="JsonObject"/>.</summary>
public static class JsonNodes
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    public static string? GetString(this JsonObject? obj, string property) =>
        obj?[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? GetInt64(this JsonObject? obj, string property) =>
        obj?[property] is JsonValue v && v.TryGetInteger(out var n) ? n : null;

    public static bool TryGetInteger(this JsonValue value, out long result)
    {
        if (value.GetValueKind() == JsonValueKind.Number)
        {
            // Go decodes a JSON number without fraction or exponent as int64; "1.0" is a float.
            var raw = value.ToJsonString();
            if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result)) return true;
        }
        result = 0;
        return false;
    }

    public static bool TryGetNumber(this JsonValue value, out double result)
    {
        if (value.GetValueKind() == JsonValueKind.Number)
            return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out result);
        result = 0;
        return false;
    }

    public static string? Name(this JsonObject obj) => (obj["metadata"] as JsonObject).GetString("name");

    public static string? Namespace(this JsonObject obj) => (obj["metadata"] as JsonObject).GetString("namespace");

    public static string? Uid(this JsonObject obj) => (obj["metadata"] as JsonObject).GetString("uid");

    public static JsonObject? Labels(this JsonObject obj) => (obj["metadata"] as JsonObject)?["labels"] as JsonObject;

    public static List<string> Finalizers(this JsonObject obj) =>
        ((obj["metadata"] as JsonObject)?["finalizers"] as JsonArray)?
            .Select(f => f?.GetValue<string>() ?? "").ToList() ?? [];

    public static void SetFinalizers(this JsonObject obj, IReadOnlyCollection<string> finalizers)
    {
        var meta = obj.Metadata();
        if (finalizers.Count == 0) meta.Remove("finalizers");
        else meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
    }

    public static bool IsBeingDeleted(this JsonObject obj) =>
        (obj["metadata"] as JsonObject)?["deletionTimestamp"] is not null;

    /// <summary>Deep copy typed as an object (JsonNode.DeepClone returns the base type).</summary>
    public static JsonObject Clone(this JsonObject obj) => (JsonObject)obj.DeepClone();

    /// <summary>Follows a dotted path of object properties, e.g. "spec.source.libvirt".</summary>
    public static JsonNode? Walk(this JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not JsonObject o) return null;
            node = o[part];
        }
        return node;
    }

    /// <summary>The JSON type name as the OpenAPI validator reports it ("string", "integer", ...).</summary>
    public static string TypeName(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.TryGetInteger(out _) ? "integer" : "number",
            _ => "null",
        },
        _ => "unknown",
    };

    /// <summary>RFC 3339 without fractional seconds, as metav1.Time serializes.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
