using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Patching;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>
/// PATCH with JSON patch, JSON merge patch, strategic merge patch (built-in kinds only, as upstream) or
/// server-side apply. The patch applies to the current object; the result goes through the normal update rules.
/// </summary>
public sealed class PatchOperation(ApiContext api, ObjectWriter writer)
{
    private static readonly string[] CustomResourcePatchTypes = [MediaTypes.JsonPatch, MediaTypes.MergePatch, MediaTypes.ApplyPatch];

    public OperationResult Run(ResourceRequest request, byte[] body, string? contentType, RequestOptions options)
    {
        var type = request.Type;
        if (request.Name is null) throw ApiErrors.MethodNotAllowed();
        var patchType = MediaTypes.BaseType(contentType);
        var accepted = type.IsCustom ? CustomResourcePatchTypes : [MediaTypes.JsonPatch, MediaTypes.MergePatch, MediaTypes.StrategicMergePatch, MediaTypes.ApplyPatch];
        if (!accepted.Contains(patchType)) throw ApiErrors.UnsupportedMediaType(patchType, accepted);

        var subresource = UpdateOperation.Subresource(request);
        var text = Encoding.UTF8.GetString(body);
        var patch = ParsePatch(text, patchType);
        var warnings = new List<string>();

        lock (api.Store.Gate)
        {
            var stored = api.Store.Get(type.Storage, request.Namespace, request.Name);
            if (patchType == MediaTypes.ApplyPatch) return Apply(request, stored is null ? null : type.ToServed(stored), patch, options, subresource, warnings);
            if (stored is null) throw ApiErrors.NotFound(type.GroupResource, request.Name);
            var old = type.ToServed(stored);

            JsonNode? patched = patchType switch
            {
                MediaTypes.JsonPatch => JsonPatch.Apply(old, patch),
                MediaTypes.MergePatch => patch is JsonObject ? JsonMergePatch.Apply(old, patch)
                    : throw ApiErrors.BadRequest("couldn't get version/kind; json parse error: the merge patch must be an object"),
                _ => patch is JsonObject smp ? StrategicMergePatch.Apply(old, smp)
                    : throw ApiErrors.BadRequest("the strategic merge patch must be an object"),
            };
            var candidate = IncomingObject.DecodePatched(type, patched, options, warnings);
            UpdateOperation.CheckName(request, candidate);
            if (type.Namespaced && candidate.Namespace() != request.Namespace)
                throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            var rv = candidate.Metadata().GetString("resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != old.Metadata().GetString("resourceVersion"))
                throw ApiErrors.Conflict(type.GroupResource, request.Name, ApiErrors.ObjectModified);

            var updated = writer.Update(type, old, candidate, subresource, options.DryRun);
            return new OperationResult(200, updated) { Warnings = warnings };
        }
    }

    private OperationResult Apply(ResourceRequest request, JsonObject? live, JsonNode? patch, RequestOptions options, string? subresource, List<string> warnings)
    {
        var type = request.Type;
        if (string.IsNullOrEmpty(options.FieldManager))
            throw ApiErrors.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        if (patch is not JsonObject applied) throw ApiErrors.BadRequest("error decoding YAML: the apply patch must be an object");
        if (applied.GetString("apiVersion") != type.ApiVersion || applied.GetString("kind") != type.Kind)
            throw ApiErrors.BadRequest($"invalid object type: {applied.GetString("apiVersion")}, Kind={applied.GetString("kind")}");
        UpdateOperation.CheckName(request, applied);

        var probe = applied.Clone();
        var unknown = IncomingObject.Prune(type, probe);
        if (unknown.Count > 0)
        {
            var message = $"failed to create typed patch object ({type.ApiVersion}, Kind={type.Kind}): " +
                string.Join(", ", unknown.Select(p => $".{p}: field not declared in schema"));
            if (options.FieldValidation == "Strict") throw ApiErrors.BadRequest(message);
            warnings.AddRange(unknown.Select(p => $"unknown field \"{p}\""));
            applied = probe;
        }

        var merged = ServerSideApply.Apply(live, applied, options.FieldManager, type.ApiVersion, subresource, api.Now);
        if (live is null)
        {
            CreateOperation.PlaceInNamespace(request, merged);
            var created = writer.Create(type, IncomingObject.DecodePatched(type, merged, options with { FieldValidation = "Ignore" }, warnings), options.DryRun);
            return new OperationResult(201, created) { Warnings = warnings };
        }
        if (type.Namespaced) merged.Metadata()["namespace"] = request.Namespace;
        var candidate = IncomingObject.DecodePatched(type, merged, options with { FieldValidation = "Ignore" }, warnings);
        var updated = writer.Update(type, live, candidate, subresource, options.DryRun);
        return new OperationResult(200, updated) { Warnings = warnings };
    }

    private static JsonNode? ParsePatch(string text, string patchType)
    {
        try
        {
            if (patchType == MediaTypes.ApplyPatch && !text.TrimStart().StartsWith('{')) return YamlToJson.Parse(text);
            return JsonText.Parse(text);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or YamlDotNet.Core.YamlException)
        {
            throw ApiErrors.BadRequest($"error decoding patch: {e.Message}");
        }
    }
}
