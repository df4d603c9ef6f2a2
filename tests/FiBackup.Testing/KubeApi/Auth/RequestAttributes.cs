using Microsoft.AspNetCore.Http;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// What a request asks to do, in the terms RBAC rules speak (authorizer.Attributes): a verb on a resource
/// (group, resource, subresource, name, namespace) or on a non-resource path.
/// </summary>
public sealed record RequestAttributes
{
    public required UserInfo User { get; init; }
    public required string Verb { get; init; }
    public bool IsResourceRequest { get; init; }
    public string Path { get; init; } = "";
    public string ApiGroup { get; init; } = "";
    public string ApiVersion { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string Resource { get; init; } = "";
    public string Subresource { get; init; } = "";
    public string Name { get; init; } = "";

    /// <summary>"vmbackups/status" for a subresource, "vmbackups" otherwise: what rules' resources match against.</summary>
    public string CombinedResource => Subresource.Length > 0 ? $"{Resource}/{Subresource}" : Resource;

    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>
    /// Reads the attributes off the URL the way kube-apiserver's RequestInfoFactory does: /api and /apis paths with
    /// at least a group-version and a resource are resource requests; everything else (/api, /apis/g/v, /version,
    /// /openapi/v3, /healthz) is a non-resource path whose verb is the lower-cased HTTP method.
    /// </summary>
    public static RequestAttributes From(HttpRequest request, UserInfo user)
    {
        var path = request.Path.Value ?? "";
        var method = request.Method;
        var nonResource = new RequestAttributes { User = user, Verb = method.ToLowerInvariant(), Path = path };
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0] is not ("api" or "apis")) return nonResource;

        var rest = parts.AsSpan(1);
        var group = "";
        if (parts[0] == "apis")
        {
            if (rest.Length < 3) return nonResource;
            group = rest[0];
            rest = rest[1..];
        }
        var version = rest[0];
        rest = rest[1..];

        string verb;
        if (rest[0] == "watch")
        {
            // The deprecated /watch/ prefix names the verb itself.
            if (rest.Length < 2) return nonResource;
            verb = "watch";
            rest = rest[1..];
        }
        else
        {
            verb = method switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            };
        }

        var ns = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            // /namespaces/{ns}/{resource}/... ; /namespaces/{ns}[/status|/finalize] is the namespace object itself,
            // whose namespace attribute is its own name.
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2])) rest = rest[2..];
        }

        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : "";
        var subresource = rest.Length >= 3 ? rest[2] : "";

        if (name.Length == 0 && verb == "get")
        {
            verb = IsWatch(request.Query) ? "watch" : "list";
            // A list or watch selecting one name by field selector is authorized as a request for that name,
            // so resourceNames rules allow informers scoped to one object.
            if (NameFromFieldSelector(request.Query["fieldSelector"].ToString()) is { } selected) name = selected;
        }
        if (name.Length == 0 && verb == "delete") verb = "deletecollection";

        return new RequestAttributes
        {
            User = user, Verb = verb, IsResourceRequest = true, Path = path, ApiGroup = group, ApiVersion = version,
            Namespace = ns, Resource = resource, Subresource = subresource, Name = name,
        };
    }

    private static bool IsWatch(IQueryCollection query) =>
        query["watch"].Count > 0 && query["watch"][0] is "1" or "t" or "T" or "true" or "TRUE" or "True";

    /// <summary>metadata.name=X (or ==) among the ANDed terms of a field selector.</summary>
    private static string? NameFromFieldSelector(string selector)
    {
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var op in new[] { "==", "=" })
            {
                var prefix = "metadata.name" + op;
                if (term.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var value = term[prefix.Length..];
                    if (value.Length > 0 && value is not ("." or "..") && !value.Contains('/') && !value.Contains('%')) return value;
                }
            }
        }
        return null;
    }
}
