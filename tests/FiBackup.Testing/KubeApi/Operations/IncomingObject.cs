using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Validation;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>
/// Decoding of a request body into an object of the endpoint's kind, as kube-apiserver's decoder does it:
/// apiVersion/kind checks, unknown fields pruned (an error under fieldValidation=Strict, a warning under Warn),
/// then schema defaults applied.
/// </summary>
public static class IncomingObject
{
    public static JsonObject Decode(ResourceType type, JsonNode? body, RequestOptions options, List<string> warnings)
    {
        if (body is not JsonObject obj)
            throw ApiErrors.BadRequest($"Object 'Kind' is missing in '{Summarize(body)}'");
        obj = obj.Clone();
        CheckTypeFields(type, obj);
        var unknown = Prune(type, obj);
        if (unknown.Count > 0)
        {
            var strictError = "strict decoding error: " + string.Join(", ", unknown.Select(p => $"unknown field \"{p}\""));
            if (options.FieldValidation == "Strict")
                throw ApiErrors.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: {strictError}");
            if (options.FieldValidation == "Warn") warnings.AddRange(unknown.Select(p => $"unknown field \"{p}\""));
        }
        if (type.Schema is { } schema) Defaulter.Apply(obj, schema);
        return obj;
    }

    /// <summary>Decoding of a patched object: strict errors are reported against the whole patched document.</summary>
    public static JsonObject DecodePatched(ResourceType type, JsonNode? patched, RequestOptions options, List<string> warnings)
    {
        if (patched is not JsonObject obj)
            throw ApiErrors.BadRequest("the patch produced something that is not an object");
        obj = obj.Clone();
        var unknown = Prune(type, obj);
        if (unknown.Count > 0)
        {
            var strictError = "strict decoding error: " + string.Join(", ", unknown.Select(p => $"unknown field \"{p}\""));
            if (options.FieldValidation == "Strict")
                throw ApiErrors.Invalid(new GroupKind("", ""), "", [FieldError.Invalid("patch", JsonText.Serialize(patched), strictError)]);
            if (options.FieldValidation == "Warn") warnings.AddRange(unknown.Select(p => $"unknown field \"{p}\""));
        }
        CheckTypeFields(type, obj);
        if (type.Schema is { } schema) Defaulter.Apply(obj, schema);
        return obj;
    }

    /// <summary>Removes unknown fields and returns their paths.</summary>
    public static List<string> Prune(ResourceType type, JsonObject obj) =>
        type.Schema is { } schema ? UnknownFieldPruner.PruneObject(obj, schema) : UnknownFieldPruner.PruneMetadataOnly(obj);

    private static void CheckTypeFields(ResourceType type, JsonObject obj)
    {
        var apiVersion = obj.GetString("apiVersion");
        var kind = obj.GetString("kind");
        if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(apiVersion))
        {
            // Typed clients may omit them; the endpoint says what the object is.
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            return;
        }
        if (apiVersion != type.ApiVersion)
            throw ApiErrors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        if (kind != type.Kind)
            throw ApiErrors.BadRequest($"{kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
    }

    private static string Summarize(JsonNode? body)
    {
        var text = JsonText.Serialize(body);
        return text.Length > 30 ? text[..30] + " ..." : text;
    }
}
