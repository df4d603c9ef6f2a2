using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// RBAC escalation prevention (kube-apiserver's policybased role and binding storage): a user may write a role
/// only with rules it already holds where the role applies, or with the escalate verb on it; a binding only to a
/// role whose rules it holds in the binding's namespace, or with the bind verb on that role. system:masters and
/// the server's own controllers are exempt.
/// </summary>
public sealed class EscalationCheck(RbacAuthorizer authorizer)
{
    /// <summary>Before a Role (ns set) or ClusterRole (ns "") with <paramref name="rules"/> is written.</summary>
    public void ForRole(GroupResource resource, string ns, string name, string requestName, IReadOnlyList<PolicyRule> rules)
    {
        if (RequestUser.Current is not { IsPrivileged: false } user) return;
        var escalate = new RequestAttributes
        {
            User = user, Verb = "escalate", IsResourceRequest = true, ApiGroup = resource.Group, Resource = resource.Resource,
            Namespace = ns, Name = requestName,
        };
        if (authorizer.Authorize(escalate).Allowed) return;
        ConfirmNoEscalation(user, resource, ns, name, rules);
    }

    /// <summary>Before a RoleBinding (ns set) or ClusterRoleBinding (ns "") referencing a role is written.</summary>
    public void ForBinding(GroupResource resource, string ns, string name, string roleKind, string roleName)
    {
        if (RequestUser.Current is not { IsPrivileged: false } user) return;
        var roleResource = roleKind == "ClusterRole" ? RbacPolicy.ClusterRoles : RbacPolicy.Roles;
        var bind = new RequestAttributes
        {
            User = user, Verb = "bind", IsResourceRequest = true, ApiGroup = RbacPolicy.Group, Resource = roleResource.Resource,
            Namespace = ns, Name = roleName,
        };
        if (authorizer.Authorize(bind).Allowed) return;
        var rules = authorizer.Policy.RulesOfRole(roleKind, roleName, ns) ?? throw ApiErrors.NotFound(roleResource, roleName);
        ConfirmNoEscalation(user, resource, ns, name, rules);
    }

    private void ConfirmNoEscalation(UserInfo user, GroupResource resource, string ns, string name, IReadOnlyList<PolicyRule> rules)
    {
        var (owned, errors) = authorizer.Policy.RulesFor(user, ns);
        var missing = rules.SelectMany(r => r.Breakdown()).Where(wanted => !owned.Any(o => o.Covers(wanted))).ToList();
        if (missing.Count == 0) return;

        var descriptions = Compact(missing).Select(r => r.CompactString()).Distinct().Order(StringComparer.Ordinal);
        var message = $"user {GoFormat.Quote(user.Name)} (groups={PolicyRule.GoQuotedList(user.Groups)}) is attempting to grant RBAC permissions not currently held:\n"
            + string.Join("\n", descriptions);
        if (errors.Count > 0) message += $"; resolution errors: [{RbacPolicy.Aggregate(errors)}]";
        throw ApiErrors.Forbidden(resource, name, message);
    }

    /// <summary>CompactRules: rules of one group, resource and at most one name merge their verbs.</summary>
    private static IEnumerable<PolicyRule> Compact(IEnumerable<PolicyRule> rules)
    {
        var merged = new Dictionary<(string, string, string), List<string>>();
        foreach (var rule in rules)
        {
            if (rule.Resources.Count != 1 || rule.ApiGroups.Count != 1 || rule.ResourceNames.Count > 1)
            {
                yield return rule;
                continue;
            }
            var key = (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames.FirstOrDefault() ?? "");
            if (!merged.TryGetValue(key, out var verbs)) merged[key] = verbs = [];
            verbs.AddRange(rule.Verbs.Where(v => !verbs.Contains(v)));
        }
        foreach (var ((group, resource, name), verbs) in merged)
            yield return new PolicyRule(verbs, [group], [resource], name.Length == 0 ? [] : [name], []);
    }
}
