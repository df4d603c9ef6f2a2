using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.OpenApi;

/// <summary>
/// /openapi/v3: an index of group-versions and one OpenAPI 3.0 document per group-version. kubectl reads the
/// PATCH operations' parameters to learn that the server validates fields itself (fieldValidation), so it
/// sends fieldValidation=Strict and skips client-side validation. CRD kinds publish their schema; built-in
/// kinds a permissive one. Strategic merge patch is not advertised, so kubectl computes it from its own types.
/// </summary>
public sealed class OpenApiDocuments(ResourceCatalog catalog)
{
    private readonly Lock _gate = new();
    private long _generation = -1;
    private Dictionary<string, (JsonObject Document, string Hash)> _documents = new();

    public JsonObject Index()
    {
        var paths = new JsonObject();
        foreach (var (key, (_, hash)) in Documents())
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for "api/v1" or "apis/group/version", or null when no such group-version is served.</summary>
    public JsonObject? Document(string key) => Documents().TryGetValue(key, out var entry) ? entry.Document : null;

    private Dictionary<string, (JsonObject Document, string Hash)> Documents()
    {
        lock (_gate)
        {
            if (_generation == catalog.Generation) return _documents;
            var documents = new Dictionary<string, (JsonObject, string)>();
            foreach (var gv in catalog.GroupVersions())
            {
                var doc = Build(gv, catalog.InGroupVersion(gv.Group, gv.Version));
                var hash = Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(JsonText.Serialize(doc))))[..32];
                documents[gv.OpenApiKey] = (doc, hash);
            }
            _documents = documents;
            _generation = catalog.Generation;
            return documents;
        }
    }

    private static JsonObject Build(GroupVersion gv, IReadOnlyList<ResourceType> types)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject
        {
            [ObjectMetaRef] = new JsonObject
            {
                ["description"] = "ObjectMeta is metadata that all persisted resources must have.",
                ["type"] = "object",
                ["x-kubernetes-preserve-unknown-fields"] = true,
            },
            [ListMetaRef] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            [StatusRef] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
        };
        foreach (var type in types)
        {
            var name = SchemaName(type);
            schemas[name] = KindSchema(type);
            schemas[name + "List"] = ListSchema(type, name);
            var collection = type.Namespaced ? $"{gv.PathPrefix}/namespaces/{{namespace}}/{type.Plural}" : $"{gv.PathPrefix}/{type.Plural}";
            var item = collection + "/{name}";
            var pathParams = type.Namespaced ? new[] { "namespace" } : [];
            paths[collection] = Collection(type, name, pathParams);
            paths[item] = Item(type, name, [.. pathParams, "name"], subresource: null);
            if (type.HasStatus) paths[item + "/status"] = Item(type, name, [.. pathParams, "name"], subresource: "status");
            if (type.Namespaced)
                paths[$"{gv.PathPrefix}/{type.Plural}"] = new JsonObject
                {
                    ["get"] = Operation(type, "list", $"list{type.Kind}ForAllNamespaces", Ref(name + "List"), ListParameters()),
                };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private const string ObjectMetaRef = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private const string ListMetaRef = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
    private const string StatusRef = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

    /// <summary>Definition names as upstream spells them: io.k8s.api.core.v1.Secret, io.fibackup.v1alpha1.VmBackup.</summary>
    public static string SchemaName(ResourceType type)
    {
        if (type.IsCustom) return string.Join('.', type.Group.Split('.').Reverse()) + $".{type.Version}.{type.Kind}";
        if (type.Group == "apiextensions.k8s.io") return $"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{type.Version}.{type.Kind}";
        var group = type.Group.Length == 0 ? "core" : type.Group.Split('.')[0];
        return $"io.k8s.api.{group}.{type.Version}.{type.Kind}";
    }

    private static JsonObject GvkExtension(ResourceType type, string kind) =>
        new() { ["group"] = type.Group, ["kind"] = kind, ["version"] = type.Version };

    private static JsonObject KindSchema(ResourceType type)
    {
        var schema = type.OpenApiSchema?.Clone() ?? new JsonObject
        {
            ["type"] = "object",
            ["x-kubernetes-preserve-unknown-fields"] = true,
        };
        var properties = schema["properties"] as JsonObject ?? new JsonObject();
        properties["apiVersion"] = new JsonObject { ["type"] = "string", ["description"] = "APIVersion defines the versioned schema of this representation of an object." };
        properties["kind"] = new JsonObject { ["type"] = "string", ["description"] = "Kind is a string value representing the REST resource this object represents." };
        properties["metadata"] = new JsonObject { ["allOf"] = new JsonArray(Ref(ObjectMetaRef)), ["default"] = new JsonObject() };
        schema["properties"] = properties;
        schema["x-kubernetes-group-version-kind"] = new JsonArray(GvkExtension(type, type.Kind));
        return schema;
    }

    private static JsonObject ListSchema(ResourceType type, string itemName) => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("items"),
        ["properties"] = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["items"] = new JsonObject { ["type"] = "array", ["items"] = Ref(itemName) },
            ["metadata"] = new JsonObject { ["allOf"] = new JsonArray(Ref(ListMetaRef)), ["default"] = new JsonObject() },
        },
        ["x-kubernetes-group-version-kind"] = new JsonArray(GvkExtension(type, type.ListKind)),
    };

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/components/schemas/{name}" };

    private static JsonObject Collection(ResourceType type, string name, IReadOnlyList<string> pathParams) => new()
    {
        ["get"] = Operation(type, "list", $"list{type.Kind}", Ref(name + "List"), ListParameters()),
        ["post"] = Operation(type, "post", $"create{type.Kind}", Ref(name), WriteParameters(), Body(Ref(name), ["application/json", "application/yaml"])),
        ["delete"] = Operation(type, "deletecollection", $"deletecollection{type.Kind}", Ref(StatusRef), ListParameters()),
        ["parameters"] = PathParameters(pathParams),
    };

    private static JsonObject Item(ResourceType type, string name, IReadOnlyList<string> pathParams, string? subresource)
    {
        var suffix = subresource is null ? "" : "Status";
        var item = new JsonObject
        {
            ["get"] = Operation(type, "get", $"read{type.Kind}{suffix}", Ref(name), []),
            ["put"] = Operation(type, "put", $"replace{type.Kind}{suffix}", Ref(name), WriteParameters(), Body(Ref(name), ["application/json", "application/yaml"])),
            ["patch"] = Operation(type, "patch", $"patch{type.Kind}{suffix}", Ref(name), [.. WriteParameters(), Query("force", "boolean")],
                Body(new JsonObject { ["type"] = "object" }, ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"])),
            ["parameters"] = PathParameters(pathParams),
        };
        if (subresource is null) item["delete"] = Operation(type, "delete", $"delete{type.Kind}", Ref(StatusRef), [Query("dryRun", "string"), Query("propagationPolicy", "string")]);
        return item;
    }

    private static JsonObject Operation(ResourceType type, string action, string operationId, JsonObject responseSchema,
        IReadOnlyList<JsonObject> parameters, JsonObject? requestBody = null)
    {
        var op = new JsonObject
        {
            ["operationId"] = operationId,
            ["parameters"] = new JsonArray(parameters.Select(p => (JsonNode?)p.DeepClone()).ToArray()),
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = responseSchema } },
                },
            },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = GvkExtension(type, type.Kind),
        };
        if (requestBody is not null) op["requestBody"] = requestBody;
        return op;
    }

    private static JsonObject Body(JsonObject schema, IEnumerable<string> contentTypes)
    {
        var content = new JsonObject();
        foreach (var t in contentTypes) content[t] = new JsonObject { ["schema"] = schema.DeepClone() };
        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private static JsonObject Query(string name, string type) =>
        new() { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true } };

    private static JsonObject[] WriteParameters() =>
        [Query("dryRun", "string"), Query("fieldManager", "string"), Query("fieldValidation", "string")];

    private static JsonObject[] ListParameters() =>
    [
        Query("allowWatchBookmarks", "boolean"), Query("continue", "string"), Query("fieldSelector", "string"),
        Query("labelSelector", "string"), Query("limit", "integer"), Query("resourceVersion", "string"),
        Query("resourceVersionMatch", "string"), Query("sendInitialEvents", "boolean"), Query("timeoutSeconds", "integer"),
        Query("watch", "boolean"),
    ];

    private static JsonArray PathParameters(IReadOnlyList<string> names) =>
        new(names.Select(n => (JsonNode?)new JsonObject
        {
            ["name"] = n, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
        }).ToArray());
}
