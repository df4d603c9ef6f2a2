using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Discovery;

/// <summary>
/// Legacy discovery (/api, /apis, /apis/g, /api/v1, /apis/g/v) and aggregated discovery
/// (apidiscovery.k8s.io/v2 and v2beta1 APIGroupDiscoveryList), both built from the live catalog so a CRD
/// shows up as soon as it is established.
/// </summary>
public static class DiscoveryDocuments
{
    private static IReadOnlyList<string> SubresourceVerbs(string subresource) => subresource switch
    {
        "finalize" => ["update"],
        "token" => ["create"],
        _ => ["get", "patch", "update"],
    };

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-fibackup.testing",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(catalog.Groups().Select(g => (JsonNode?)Group(catalog, g, withTypeMeta: false)).ToArray()),
    };

    public static JsonObject Group(ResourceCatalog catalog, string group, bool withTypeMeta)
    {
        var versions = catalog.Versions(group);
        var result = new JsonObject();
        if (withTypeMeta)
        {
            result["kind"] = "APIGroup";
            result["apiVersion"] = "v1";
        }
        result["name"] = group;
        result["versions"] = new JsonArray(versions.Select(v => (JsonNode?)GroupVersionEntry(group, v)).ToArray());
        result["preferredVersion"] = GroupVersionEntry(group, versions[0]);
        return result;
    }

    private static JsonObject GroupVersionEntry(string group, string version) =>
        new() { ["groupVersion"] = new GroupVersion(group, version).ApiVersion, ["version"] = version };

    public static JsonObject ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var resources = new JsonArray();
        foreach (var type in catalog.InGroupVersion(group, version))
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = Strings(type.Verbs),
            };
            if (type.ShortNames.Count > 0) entry["shortNames"] = Strings(type.ShortNames);
            if (type.Categories.Count > 0) entry["categories"] = Strings(type.Categories);
            entry["storageVersionHash"] = StorageVersionHash(type);
            resources.Add(entry);
            foreach (var sub in Subresources(type))
                resources.Add(new JsonObject
                {
                    ["name"] = $"{type.Plural}/{sub}", ["singularName"] = "", ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind, ["verbs"] = Strings(SubresourceVerbs(sub)),
                });
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = new GroupVersion(group, version).ApiVersion,
            ["resources"] = resources,
        };
    }

    /// <summary>Aggregated discovery: the core group alone (for /api) or every named group (for /apis).</summary>
    public static JsonObject Aggregated(ResourceCatalog catalog, bool core, string discoveryVersion)
    {
        var groups = core ? [""] : catalog.Groups();
        var items = new JsonArray();
        foreach (var group in groups)
        {
            var versions = new JsonArray();
            foreach (var version in catalog.Versions(group))
            {
                var resources = new JsonArray();
                foreach (var type in catalog.InGroupVersion(group, version))
                {
                    var entry = new JsonObject
                    {
                        ["resource"] = type.Plural,
                        ["responseKind"] = Kind(type),
                        ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = type.Singular,
                        ["verbs"] = Strings(type.Verbs),
                    };
                    if (type.ShortNames.Count > 0) entry["shortNames"] = Strings(type.ShortNames);
                    if (type.Categories.Count > 0) entry["categories"] = Strings(type.Categories);
                    var subresources = Subresources(type).ToList();
                    if (subresources.Count > 0)
                        entry["subresources"] = new JsonArray(subresources.Select(sub => (JsonNode?)new JsonObject
                        {
                            ["subresource"] = sub, ["responseKind"] = Kind(type),
                            ["verbs"] = Strings(SubresourceVerbs(sub)),
                        }).ToArray());
                    resources.Add(entry);
                }
                versions.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }
            items.Add(new JsonObject
            {
                ["metadata"] = group.Length == 0 ? new JsonObject { ["creationTimestamp"] = null } : new JsonObject { ["name"] = group, ["creationTimestamp"] = null },
                ["versions"] = versions,
            });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{discoveryVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    public static string AggregatedContentType(string discoveryVersion) =>
        $"application/json;g=apidiscovery.k8s.io;v={discoveryVersion};as=APIGroupDiscoveryList";

    private static IEnumerable<string> Subresources(ResourceType type)
    {
        if (type.HasStatus) yield return "status";
        foreach (var other in type.OtherSubresources) yield return other;
    }

    private static JsonObject Kind(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    /// <summary>An opaque per-resource hash, as upstream publishes (clients only compare it).</summary>
    private static string StorageVersionHash(ResourceType type)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{type.Group}/{type.Version}/{type.Kind}"));
        return Convert.ToBase64String(bytes, 0, 8);
    }
}
