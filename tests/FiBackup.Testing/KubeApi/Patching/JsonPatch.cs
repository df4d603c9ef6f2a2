using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Patching;

/// <summary>
/// RFC 6902 JSON patch (add, remove, replace, move, copy, test) over RFC 6901 pointers. A failing operation
/// is a 422 as in kube-apiserver (evanphx/json-patch errors surfaced as-is).
/// </summary>
public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
            throw ApiErrors.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        var doc = document?.DeepClone();
        foreach (var op in operations)
        {
            if (op is not JsonObject operation) throw ApiErrors.BadRequest("invalid JSON patch operation");
            var name = operation.GetString("op") ?? "";
            var path = operation.GetString("path") ?? throw Unprocessable($"missing path in \"{name}\" operation");
            switch (name)
            {
                case "add": doc = Add(doc, path, Value(operation, name)); break;
                case "remove": doc = Remove(doc, path, out _); break;
                case "replace":
                    doc = Remove(doc, path, out _, $"replace operation does not apply: doc is missing key: {path}");
                    doc = Add(doc, path, Value(operation, name));
                    break;
                case "move":
                    var from = operation.GetString("from") ?? throw Unprocessable("missing from in move operation");
                    doc = Remove(doc, from, out var moved);
                    doc = Add(doc, path, moved);
                    break;
                case "copy":
                    var source = operation.GetString("from") ?? throw Unprocessable("missing from in copy operation");
                    doc = Add(doc, path, Get(doc, source)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path, mustExist: false), operation["value"]))
                        throw Unprocessable($"testing value {path} failed: test failed");
                    break;
                default: throw ApiErrors.BadRequest($"Unexpected kind: {name}");
            }
        }
        return doc;
    }

    private static JsonNode? Value(JsonObject operation, string name) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw Unprocessable($"missing value in \"{name}\" operation");

    private static ApiException Unprocessable(string message) => new(422, "Invalid", message);

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (!pointer.StartsWith('/')) throw Unprocessable($"JSON pointer must start with '/': {pointer}");
        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
    }

    private static JsonNode? Get(JsonNode? doc, string pointer, bool mustExist = true)
    {
        var node = doc;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var v) => v,
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => mustExist ? throw Unprocessable($"unable to get nonexistent key: {token}: missing value") : null,
            };
            if (node is null && !mustExist) return null;
        }
        return node;
    }

    private static JsonNode? Add(JsonNode? doc, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0) return value;
        var parent = Get(doc, "/" + string.Join('/', tokens[..^1].Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a:
                if (last == "-") a.Add(value);
                else if (int.TryParse(last, out var i) && i >= 0 && i <= a.Count) a.Insert(i, value);
                else throw Unprocessable($"add operation does not apply: doc is missing path: \"{pointer}\": missing value");
                break;
            default: throw Unprocessable($"add operation does not apply: doc is missing path: \"{pointer}\": missing value");
        }
        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string pointer, out JsonNode? removed, string? missingMessage = null)
    {
        var tokens = Tokens(pointer);
        var parent = tokens.Length == 0 ? null : Get(doc, "/" + string.Join('/', tokens[..^1].Select(Escape)), mustExist: false);
        var last = tokens.Length == 0 ? "" : tokens[^1];
        var message = missingMessage ?? $"remove operation does not apply: doc is missing path: \"{pointer}\": missing value";
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var v):
                o.Remove(last);
                removed = v;
                return doc;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                return doc;
            default:
                throw Unprocessable(message);
        }
    }

    private static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");
}
