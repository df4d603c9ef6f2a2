using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Auth;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>Role and ClusterRole: every rule needs verbs; namespaced rules cannot name URLs; no escalation.</summary>
public sealed class RoleRules(EscalationCheck escalation, bool clusterScoped) : IKindRules
{
    private GroupResource Resource => clusterScoped ? RbacPolicy.ClusterRoles : RbacPolicy.Roles;

    public bool NameIsPathSegment => true;

    public void PrepareForCreate(JsonObject role) =>
        escalation.ForRole(Resource, role.Namespace() ?? "", role.Name() ?? "", "", PolicyRule.ListFrom(role["rules"]));

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        // Metadata-only writes (finalizers, owner references, labels) grant nothing new.
        if (JsonNode.DeepEquals(updated["rules"], old["rules"])) return;
        escalation.ForRole(Resource, updated.Namespace() ?? "", updated.Name() ?? "", updated.Name() ?? "", PolicyRule.ListFrom(updated["rules"]));
    }

    public IEnumerable<FieldError> Validate(JsonObject role)
    {
        var rules = role["rules"] as JsonArray ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is not JsonObject rule) continue;
            if (rule["verbs"] is not JsonArray { Count: > 0 }) yield return FieldError.Required($"rules[{i}].verbs", "verbs must contain at least one value");
            var urls = rule["nonResourceURLs"] as JsonArray ?? [];
            if (urls.Count > 0 && !clusterScoped)
                yield return FieldError.Invalid($"rules[{i}].nonResourceURLs", JsonText.Serialize(urls), "namespaced rules cannot apply to non-resource URLs");
            if (urls.Count > 0 && (rule["apiGroups"] is JsonArray { Count: > 0 } || rule["resources"] is JsonArray { Count: > 0 }))
                yield return FieldError.Invalid($"rules[{i}].nonResourceURLs", JsonText.Serialize(urls), "rules cannot apply to both regular resources and non-resource URLs");
            if (urls.Count == 0 && rule["resources"] is not JsonArray { Count: > 0 })
                yield return FieldError.Required($"rules[{i}].resources", "resource rules must supply at least one resource");
        }
    }
}

/// <summary>RoleBinding and ClusterRoleBinding: a valid, immutable roleRef, and binding only what one holds or may bind.</summary>
public sealed class BindingRules(EscalationCheck escalation, bool clusterScoped) : IKindRules
{
    private GroupResource Resource => clusterScoped ? RbacPolicy.ClusterRoleBindings : RbacPolicy.RoleBindings;

    public bool NameIsPathSegment => true;

    public void PrepareForCreate(JsonObject binding) => CheckEscalation(binding);

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        if (!JsonNode.DeepEquals(updated["roleRef"], old["roleRef"]))
            throw ApiErrors.Invalid(new GroupKind(RbacPolicy.Group, clusterScoped ? "ClusterRoleBinding" : "RoleBinding"), old.Name()!,
                [FieldError.Invalid("roleRef", JsonText.Serialize(updated["roleRef"]), "cannot change roleRef")]);
        if (JsonNode.DeepEquals(updated["subjects"], old["subjects"])) return;
        CheckEscalation(updated);
    }

    private void CheckEscalation(JsonObject binding)
    {
        if (binding["roleRef"] is not JsonObject roleRef) return;
        var kind = roleRef.GetString("kind") ?? "";
        if (kind is not ("Role" or "ClusterRole")) return;
        escalation.ForBinding(Resource, binding.Namespace() ?? "", binding.Name() ?? "", kind, roleRef.GetString("name") ?? "");
    }

    public IEnumerable<FieldError> Validate(JsonObject binding)
    {
        var kinds = clusterScoped ? new[] { "ClusterRole" } : ["Role", "ClusterRole"];
        if (binding["roleRef"] is not JsonObject roleRef)
        {
            yield return FieldError.Required("roleRef");
            yield break;
        }
        var kind = roleRef.GetString("kind") ?? "";
        if (!kinds.Contains(kind)) yield return FieldError.NotSupported("roleRef.kind", kind, kinds);
        if (roleRef.GetString("apiGroup") != RbacPolicy.Group)
            yield return FieldError.NotSupported("roleRef.apiGroup", roleRef.GetString("apiGroup") ?? "", [RbacPolicy.Group]);
        if (string.IsNullOrEmpty(roleRef.GetString("name"))) yield return FieldError.Required("roleRef.name");

        var subjects = binding["subjects"] as JsonArray ?? [];
        for (var i = 0; i < subjects.Count; i++)
        {
            if (subjects[i] is not JsonObject subject) continue;
            var subjectKind = subject.GetString("kind") ?? "";
            if (subjectKind is not ("ServiceAccount" or "User" or "Group"))
                yield return FieldError.NotSupported($"subjects[{i}].kind", subjectKind, ["ServiceAccount", "User", "Group"]);
            if (string.IsNullOrEmpty(subject.GetString("name"))) yield return FieldError.Required($"subjects[{i}].name");
            if (subjectKind == "ServiceAccount" && clusterScoped && string.IsNullOrEmpty(subject.GetString("namespace")))
                yield return FieldError.Required($"subjects[{i}].namespace");
        }
    }
}
