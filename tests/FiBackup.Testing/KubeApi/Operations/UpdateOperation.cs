using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>PUT of an object or its status: optimistic concurrency on metadata.resourceVersion (409 when stale).</summary>
public sealed class UpdateOperation(ApiContext api, ObjectWriter writer)
{
    public OperationResult Run(ResourceRequest request, JsonNode? body, RequestOptions options)
    {
        var type = request.Type;
        if (request.Name is null) throw ApiErrors.MethodNotAllowed();
        var warnings = new List<string>();
        var obj = IncomingObject.Decode(type, body, options, warnings);
        CheckName(request, obj);
        CreateOperation.PlaceInNamespace(request, obj);

        lock (api.Store.Gate)
        {
            var stored = api.Store.Get(type.Storage, request.Namespace, request.Name)
                ?? throw ApiErrors.NotFound(type.GroupResource, request.Name);
            var old = type.ToServed(stored);
            var rv = obj.Metadata().GetString("resourceVersion");
            if (string.IsNullOrEmpty(rv))
            {
                // Custom resources (and CRDs) refuse unconditional updates; most built-in kinds allow them.
                if (type.IsCustom || type.TracksGeneration)
                    throw ApiErrors.Invalid(type.GroupKind, request.Name,
                        [FieldError.Invalid("metadata.resourceVersion", 0L, "must be specified for an update")]);
            }
            else if (rv != old.Metadata().GetString("resourceVersion"))
                throw ApiErrors.Conflict(type.GroupResource, request.Name, ApiErrors.ObjectModified);

            var subresource = Subresource(request);
            if (subresource == "finalize")
            {
                var finalized = old.Clone();
                finalized["spec"] = obj["spec"]?.DeepClone() ?? new JsonObject();
                return new OperationResult(200, writer.Update(type, old, finalized, "finalize", options.DryRun));
            }
            var updated = writer.Update(type, old, obj, subresource, options.DryRun);
            return new OperationResult(200, updated) { Warnings = warnings };
        }
    }

    public static string? Subresource(ResourceRequest request)
    {
        return request.Subresource switch
        {
            null => null,
            "status" when request.Type.HasStatus => "status",
            "finalize" when request.Type.OtherSubresources.Contains("finalize") => "finalize",
            _ => throw ApiErrors.ResourceNotFound(),
        };
    }

    public static void CheckName(ResourceRequest request, JsonObject obj)
    {
        var name = obj.Name();
        if (string.IsNullOrEmpty(name)) obj.Metadata()["name"] = request.Name;
        else if (name != request.Name)
            throw ApiErrors.BadRequest($"the name of the object ({name}) does not match the name on the URL ({request.Name})");
    }
}
