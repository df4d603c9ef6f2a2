using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// One rbac/v1 PolicyRule and the two questions asked of it: does it allow a request (the RBAC authorizer's
/// RuleAllows) and does it cover another rule (escalation prevention's ruleCovers).
/// </summary>
public sealed record PolicyRule(
    IReadOnlyList<string> Verbs, IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames, IReadOnlyList<string> NonResourceUrls)
{
    private const string All = "*";

    public static IReadOnlyList<PolicyRule> ListFrom(JsonNode? rules) =>
        (rules as JsonArray ?? []).OfType<JsonObject>().Select(From).ToList();

    public static PolicyRule From(JsonObject rule) => new(
        Strings(rule["verbs"]), Strings(rule["apiGroups"]), Strings(rule["resources"]),
        Strings(rule["resourceNames"]), Strings(rule["nonResourceURLs"]));

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(v => v?.ToString() ?? "").ToList();

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["verbs"] = Array(Verbs) };
        if (ApiGroups.Count > 0) json["apiGroups"] = Array(ApiGroups);
        if (Resources.Count > 0) json["resources"] = Array(Resources);
        if (ResourceNames.Count > 0) json["resourceNames"] = Array(ResourceNames);
        if (NonResourceUrls.Count > 0) json["nonResourceURLs"] = Array(NonResourceUrls);
        return json;
    }

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    public bool Allows(RequestAttributes request)
    {
        if (!Verbs.Contains(All) && !Verbs.Contains(request.Verb)) return false;
        if (!request.IsResourceRequest) return NonResourceUrls.Any(url => UrlMatches(url, request.Path));
        return (ApiGroups.Contains(All) || ApiGroups.Contains(request.ApiGroup))
            && ResourceMatches(request.CombinedResource, request.Subresource)
            && (ResourceNames.Count == 0 || ResourceNames.Contains(request.Name));
    }

    /// <summary>"*", the exact resource ("vmbackups/status"), or "*/status" for any resource's subresource.</summary>
    private bool ResourceMatches(string combined, string subresource)
    {
        foreach (var resource in Resources)
        {
            if (resource == All || resource == combined) return true;
            if (subresource.Length > 0 && resource == "*/" + subresource) return true;
        }
        return false;
    }

    /// <summary>Exact, "*", or a trailing "*" as a prefix match ("/apis/*").</summary>
    private static bool UrlMatches(string ruleUrl, string path) =>
        ruleUrl == All || ruleUrl == path || (ruleUrl.EndsWith('*') && path.StartsWith(ruleUrl[..^1], StringComparison.Ordinal));

    /// <summary>The rule split into rules of one verb, group, resource and name each (BreakdownRule upstream).</summary>
    public IEnumerable<PolicyRule> Breakdown()
    {
        foreach (var group in ApiGroups)
            foreach (var resource in Resources)
                foreach (var verb in Verbs)
                {
                    if (ResourceNames.Count == 0) yield return new([verb], [group], [resource], [], []);
                    else foreach (var name in ResourceNames) yield return new([verb], [group], [resource], [name], []);
                }
        foreach (var url in NonResourceUrls)
            foreach (var verb in Verbs)
                yield return new([verb], [], [], [], [url]);
    }

    /// <summary>Whether this rule grants everything <paramref name="other"/> grants (ruleCovers upstream).</summary>
    public bool Covers(PolicyRule other)
    {
        var verbs = Verbs.Contains(All) || other.Verbs.All(Verbs.Contains);
        var groups = ApiGroups.Contains(All) || other.ApiGroups.All(ApiGroups.Contains);
        var names = other.ResourceNames.Count == 0
            ? ResourceNames.Count == 0
            : ResourceNames.Count == 0 || other.ResourceNames.All(ResourceNames.Contains);
        var urls = other.NonResourceUrls.All(url => NonResourceUrls.Any(owned => UrlCovers(owned, url)));
        return verbs && groups && ResourcesCover(other.Resources) && names && urls;
    }

    private bool ResourcesCover(IReadOnlyList<string> wanted)
    {
        if (Resources.Contains(All)) return true;
        foreach (var resource in wanted)
        {
            if (Resources.Contains(resource)) continue;
            var slash = resource.IndexOf('/');
            if (slash < 0 || !Resources.Contains("*/" + resource[(slash + 1)..])) return false;
        }
        return true;
    }

    private static bool UrlCovers(string owned, string wanted) =>
        owned == All || owned == wanted || (owned.EndsWith('*') && wanted.StartsWith(owned[..^1], StringComparison.Ordinal));

    /// <summary>rbacv1helpers.CompactString: {APIGroups:["g"], Resources:["r"], Verbs:["get" "list"]}.</summary>
    public string CompactString()
    {
        var parts = new List<string>();
        if (ApiGroups.Count > 0) parts.Add($"APIGroups:{GoQuotedList(ApiGroups)}");
        if (Resources.Count > 0) parts.Add($"Resources:{GoQuotedList(Resources)}");
        if (NonResourceUrls.Count > 0) parts.Add($"NonResourceURLs:{GoQuotedList(NonResourceUrls)}");
        if (ResourceNames.Count > 0) parts.Add($"ResourceNames:{GoQuotedList(ResourceNames)}");
        if (Verbs.Count > 0) parts.Add($"Verbs:{GoQuotedList(Verbs)}");
        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>Go's %q of a []string: ["a" "b"].</summary>
    public static string GoQuotedList(IEnumerable<string> values) =>
        "[" + string.Join(' ', values.Select(Errors.GoFormat.Quote)) + "]";
}
