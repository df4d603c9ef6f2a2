using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Requests;

/// <summary>
/// A request path resolved against the catalog: /api/v1/namespaces/ns/secrets/name,
/// /apis/g/v/plural/name/status, /apis/g/v/watch/namespaces/ns/plural (deprecated watch paths) ...
/// </summary>
public sealed record ResourceRequest(ResourceType Type, string? Namespace, string? Name, string? Subresource, bool LegacyWatchPath)
{
    /// <summary>Parses the part after the group-version prefix. Returns null if no served resource matches.</summary>
    public static ResourceRequest? Parse(ResourceCatalog catalog, string group, string version, string[] segments)
    {
        var legacyWatch = false;
        if (segments.Length > 0 && segments[0] == "watch")
        {
            legacyWatch = true;
            segments = segments[1..];
        }
        if (segments.Length == 0) return null;

        string? ns = null;
        // /namespaces/{ns}/{resource}/... unless the request is for namespaces themselves (1-2 segments, or a subresource).
        if (segments[0] == "namespaces" && segments.Length >= 3 && !(segments.Length == 3 && segments[2] is "status" or "finalize"))
        {
            ns = segments[1];
            segments = segments[2..];
        }
        var type = catalog.Find(group, version, segments[0]);
        if (type is null) return null;
        if (ns is not null && !type.Namespaced) return null;
        var name = segments.Length > 1 ? segments[1] : null;
        var subresource = segments.Length > 2 ? segments[2] : null;
        if (segments.Length > 3) return null;
        return new ResourceRequest(type, ns, name, subresource, legacyWatch);
    }
}
