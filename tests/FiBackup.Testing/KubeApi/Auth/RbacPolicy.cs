using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// The stored Roles, ClusterRoles and their bindings at one moment, indexed by subject, so that resolving a
/// user's rules touches only the bindings naming that user or one of its groups (never a scan of every binding).
/// Resolution follows kube-apiserver's DefaultRuleResolver: ClusterRoleBindings apply everywhere, RoleBindings
/// in their own namespace; a RoleBinding may reference a ClusterRole, whose rules then apply in that namespace only.
/// </summary>
public sealed class RbacPolicy
{
    public const string Group = "rbac.authorization.k8s.io";
    public static readonly GroupResource Roles = new(Group, "roles");
    public static readonly GroupResource ClusterRoles = new(Group, "clusterroles");
    public static readonly GroupResource RoleBindings = new(Group, "rolebindings");
    public static readonly GroupResource ClusterRoleBindings = new(Group, "clusterrolebindings");

    /// <summary>A binding as it applies to one subject: where it came from and which role it grants.</summary>
    private sealed record Grant(string Source, string RoleKind, string RoleName, string Namespace);

    private readonly Dictionary<string, IReadOnlyList<PolicyRule>> _clusterRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), IReadOnlyList<PolicyRule>> _roles = new();
    private readonly Dictionary<string, List<Grant>> _clusterGrants = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Subject), List<Grant>> _namespaceGrants = new();

    public static RbacPolicy Build(ObjectStore store)
    {
        var policy = new RbacPolicy();
        foreach (var (_, role) in store.List(ClusterRoles, null))
            policy._clusterRoles[role.Name()!] = PolicyRule.ListFrom(role["rules"]);
        foreach (var (_, role) in store.List(Roles, null))
            policy._roles[(role.Namespace()!, role.Name()!)] = PolicyRule.ListFrom(role["rules"]);
        foreach (var (_, binding) in store.List(ClusterRoleBindings, null))
            policy.Index(binding, "");
        foreach (var (_, binding) in store.List(RoleBindings, null))
            policy.Index(binding, binding.Namespace()!);
        return policy;
    }

    private void Index(JsonObject binding, string ns)
    {
        var roleKind = binding.Walk("roleRef.kind")?.ToString() ?? "";
        var roleName = binding.Walk("roleRef.name")?.ToString() ?? "";
        foreach (var subject in (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (SubjectKey(subject, ns) is not { } key) continue;
            var source = ns.Length == 0
                ? $"ClusterRoleBinding {Quote(binding.Name()!)} of {roleKind} {Quote(roleName)} to {Describe(subject, ns)}"
                : $"RoleBinding {Quote($"{binding.Name()}/{ns}")} of {roleKind} {Quote(roleName)} to {Describe(subject, ns)}";
            var grant = new Grant(source, roleKind, roleName, ns);
            if (ns.Length == 0) Add(_clusterGrants, key, grant);
            else Add(_namespaceGrants, (ns, key), grant);
        }
    }

    private static void Add<TKey>(Dictionary<TKey, List<Grant>> index, TKey key, Grant grant) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var grants)) index[key] = grants = [];
        grants.Add(grant);
    }

    /// <summary>
    /// Subjects by what they match: users (ServiceAccount subjects are the user name they stand for, with the
    /// binding's namespace when they name none) and groups.
    /// </summary>
    private static string? SubjectKey(JsonObject subject, string bindingNamespace)
    {
        var name = subject.GetString("name") ?? "";
        switch (subject.GetString("kind"))
        {
            case "User": return "user:" + name;
            case "Group": return "group:" + name;
            case "ServiceAccount":
                var ns = subject.GetString("namespace") is { Length: > 0 } own ? own : bindingNamespace;
                return ns.Length == 0 ? null : "user:" + UserInfo.ServiceAccountName(ns, name);
            default: return null;
        }
    }

    private static string Describe(JsonObject subject, string bindingNamespace)
    {
        var kind = subject.GetString("kind") ?? "";
        var name = subject.GetString("name") ?? "";
        if (kind != "ServiceAccount") return $"{kind} {Quote(name)}";
        var ns = subject.GetString("namespace") is { Length: > 0 } own ? own : bindingNamespace;
        return $"{kind} {Quote($"{name}/{ns}")}";
    }

    private static string Quote(string s) => Errors.GoFormat.Quote(s);

    /// <summary>The grants that apply to a user in a namespace ("" = cluster-wide only): ClusterRoleBindings first.</summary>
    private IEnumerable<Grant> GrantsFor(UserInfo user, string ns)
    {
        var keys = user.Groups.Select(g => "group:" + g).Prepend("user:" + user.Name);
        foreach (var key in keys)
            if (_clusterGrants.TryGetValue(key, out var grants))
                foreach (var grant in grants) yield return grant;
        if (ns.Length == 0) yield break;
        foreach (var key in keys)
            if (_namespaceGrants.TryGetValue((ns, key), out var grants))
                foreach (var grant in grants) yield return grant;
    }

    /// <summary>The rules a grant brings, or the NotFound message of the role it references.</summary>
    private (IReadOnlyList<PolicyRule> Rules, string? Error) RulesOf(Grant grant)
    {
        switch (grant.RoleKind)
        {
            case "ClusterRole":
                return _clusterRoles.TryGetValue(grant.RoleName, out var cluster)
                    ? (cluster, null)
                    : ([], $"clusterrole.{Group} {Quote(grant.RoleName)} not found");
            case "Role" when grant.Namespace.Length > 0:
                return _roles.TryGetValue((grant.Namespace, grant.RoleName), out var role)
                    ? (role, null)
                    : ([], $"role.{Group} {Quote(grant.RoleName)} not found");
            default:
                return ([], $"unsupported role reference kind: {Quote(grant.RoleKind)}");
        }
    }

    /// <summary>
    /// The RBAC authorizer's decision. Allowed carries "RBAC: allowed by ..."; a denial carries the resolution
    /// errors (bindings to missing roles) as upstream's "RBAC: ..." reason, or nothing.
    /// </summary>
    public (bool Allowed, string Reason) Authorize(RequestAttributes request)
    {
        List<string>? errors = null;
        foreach (var grant in GrantsFor(request.User, request.Namespace))
        {
            var (rules, error) = RulesOf(grant);
            if (error is not null) (errors ??= []).Add(error);
            foreach (var rule in rules)
                if (rule.Allows(request)) return (true, $"RBAC: allowed by {grant.Source}");
        }
        return (false, errors is null ? "" : "RBAC: " + Aggregate(errors));
    }

    /// <summary>Every rule a user holds in a namespace ("" = cluster-wide), plus resolution errors.</summary>
    public (IReadOnlyList<PolicyRule> Rules, IReadOnlyList<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var rules = new List<PolicyRule>();
        var errors = new List<string>();
        foreach (var grant in GrantsFor(user, ns))
        {
            var (granted, error) = RulesOf(grant);
            if (error is not null) errors.Add(error);
            rules.AddRange(granted);
        }
        return (rules, errors);
    }

    /// <summary>The rules a role reference resolves to in a binding's namespace ("" for ClusterRoleBindings).</summary>
    public IReadOnlyList<PolicyRule>? RulesOfRole(string kind, string name, string ns) => kind switch
    {
        "ClusterRole" => _clusterRoles.GetValueOrDefault(name),
        "Role" => _roles.GetValueOrDefault((ns, name)),
        _ => null,
    };

    /// <summary>utilerrors.Aggregate's text: one error bare, several as "[a, b]".</summary>
    public static string Aggregate(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
}
