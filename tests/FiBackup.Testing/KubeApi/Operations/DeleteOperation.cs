using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Selectors;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>DELETE of one object (preconditions, propagation policy, finalizers) or of a collection.</summary>
public sealed class DeleteOperation(ApiContext api, ObjectWriter writer)
{
    private const string JobOrphanWarning =
        "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning";

    public OperationResult Run(ResourceRequest request, JsonNode? body, RequestOptions options)
    {
        var type = request.Type;
        if (request.Subresource is not null) throw ApiErrors.MethodNotAllowed();
        var deleteOptions = body as JsonObject ?? new JsonObject();
        var warnings = new List<string>();
        var policy = Policy(type, deleteOptions, options, warnings);
        var dryRun = options.DryRun || deleteOptions["dryRun"] is JsonArray { Count: > 0 };

        if (request.Name is null) return DeleteCollection(request, options, policy, dryRun, warnings);

        lock (api.Store.Gate)
        {
            var stored = api.Store.Get(type.Storage, request.Namespace, request.Name)
                ?? throw ApiErrors.NotFound(type.GroupResource, request.Name);
            var current = type.ToServed(stored);
            CheckPreconditions(type, current, deleteOptions["preconditions"] as JsonObject);
            var (removed, result) = writer.Delete(type, current, policy, dryRun);
            if (!removed || type.ReturnsDeletedObject) return new OperationResult(200, result) { Warnings = warnings };
            return new OperationResult(200, Success(type.GroupResource, result)) { Warnings = warnings };
        }
    }

    private OperationResult DeleteCollection(ResourceRequest request, RequestOptions options, PropagationPolicy policy, bool dryRun, List<string> warnings)
    {
        var type = request.Type;
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector, type);
        var items = new JsonArray();
        lock (api.Store.Gate)
        {
            foreach (var (_, stored) in api.Store.List(type.Storage, request.Namespace).ToList())
            {
                var current = type.ToServed(stored);
                if (!labels.Matches(current) || !fields.Matches(current)) continue;
                items.Add(writer.Delete(type, current, policy, dryRun).Object);
            }
            return new OperationResult(200, new JsonObject
            {
                ["apiVersion"] = type.ApiVersion, ["kind"] = type.ListKind,
                ["metadata"] = new JsonObject { ["resourceVersion"] = api.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = items,
            }) { Warnings = warnings };
        }
    }

    private static PropagationPolicy Policy(ResourceType type, JsonObject deleteOptions, RequestOptions options, List<string> warnings)
    {
        var named = deleteOptions.GetString("propagationPolicy") ?? options.PropagationPolicy;
        if (named is null && deleteOptions["orphanDependents"] is JsonValue orphan && orphan.TryGetValue<bool>(out var o))
            return o ? PropagationPolicy.Orphan : PropagationPolicy.Background;
        switch (named)
        {
            case null or "":
                if (type.DefaultPropagation == PropagationPolicy.Orphan && type.Kind == "Job") warnings.Add(JobOrphanWarning);
                return type.DefaultPropagation;
            case "Background": return PropagationPolicy.Background;
            case "Foreground": return PropagationPolicy.Foreground;
            case "Orphan": return PropagationPolicy.Orphan;
            default:
                throw ApiErrors.Invalid(new GroupKind("meta.k8s.io", "DeleteOptions"), "",
                    [FieldError.NotSupported("propagationPolicy", named, ["Foreground", "Background", "Orphan", "nil"])]);
        }
    }

    private static void CheckPreconditions(ResourceType type, JsonObject current, JsonObject? preconditions)
    {
        if (preconditions is null) return;
        var name = current.Name()!;
        if (preconditions.GetString("uid") is { Length: > 0 } uid && uid != current.Uid())
            throw ApiErrors.Conflict(type.GroupResource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
        var rv = current.Metadata().GetString("resourceVersion");
        if (preconditions.GetString("resourceVersion") is { Length: > 0 } wanted && wanted != rv)
            throw ApiErrors.Conflict(type.GroupResource, name, $"Precondition failed: ResourceVersion in precondition: {wanted}, ResourceVersion in object meta: {rv}");
    }

    private static JsonObject Success(GroupResource resource, JsonObject deleted)
    {
        var details = new JsonObject { ["name"] = deleted.Name() };
        if (resource.Group.Length > 0) details["group"] = resource.Group;
        details["kind"] = resource.Resource;
        details["uid"] = deleted.Uid();
        return new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = details,
        };
    }
}
