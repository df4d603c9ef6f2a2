using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Requests;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>POST to a collection: decode, place in the request's namespace, create (201).</summary>
public sealed class CreateOperation(ApiContext api, ObjectWriter writer)
{
    public OperationResult Run(ResourceRequest request, JsonNode? body, RequestOptions options)
    {
        var type = request.Type;
        if (request.Name is not null) throw ApiErrors.MethodNotAllowed();
        var warnings = new List<string>();
        var obj = IncomingObject.Decode(type, body, options, warnings);
        PlaceInNamespace(request, obj);
        lock (api.Store.Gate)
        {
            var created = writer.Create(type, obj, options.DryRun);
            return new OperationResult(201, created) { Warnings = warnings };
        }
    }

    /// <summary>Namespaced objects take the URL's namespace; a different one in the body is an error.</summary>
    public static void PlaceInNamespace(ResourceRequest request, JsonObject obj)
    {
        var meta = obj.Metadata();
        if (!request.Type.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }
        var bodyNamespace = meta.GetString("namespace");
        if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != request.Namespace)
            throw ApiErrors.BadRequest($"the namespace of the provided object does not match the namespace sent on the request");
        if (request.Namespace is null) throw ApiErrors.BadRequest("the namespace of the provided object is not set and the request is not namespaced");
        meta["namespace"] = request.Namespace;
    }
}
