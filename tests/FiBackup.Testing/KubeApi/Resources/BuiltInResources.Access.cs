using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Auth;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>
/// Access control kinds: rbac.authorization.k8s.io/v1 (stored) and the create-only reviews of
/// authorization.k8s.io/v1 and authentication.k8s.io/v1 (answered from the request, never stored).
/// </summary>
public static partial class BuiltInResources
{
    private static readonly IReadOnlyList<string> CreateOnly = ["create"];

    private static IReadOnlyList<ResourceType> Access(EscalationCheck escalation) =>
    [
        Rbac("Role", "roles", namespaced: true, new RoleRules(escalation, clusterScoped: false)) with
        {
            PrinterColumns = [CreatedAt()],
        },
        Rbac("ClusterRole", "clusterroles", namespaced: false, new RoleRules(escalation, clusterScoped: true)) with
        {
            PrinterColumns = [CreatedAt()],
        },
        Rbac("RoleBinding", "rolebindings", namespaced: true, new BindingRules(escalation, clusterScoped: false)) with
        {
            PrinterColumns = BindingColumns,
        },
        Rbac("ClusterRoleBinding", "clusterrolebindings", namespaced: false, new BindingRules(escalation, clusterScoped: true)) with
        {
            PrinterColumns = BindingColumns,
        },
        Review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews"),
        Review("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews"),
        Review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews"),
    ];

    private static ResourceType Rbac(string kind, string plural, bool namespaced, IKindRules rules) => new()
    {
        Group = RbacPolicy.Group, Version = "v1", Kind = kind, Plural = plural, Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced, Storage = new(RbacPolicy.Group, plural), Rules = rules,
    };

    private static ResourceType Review(string group, string kind, string plural) => new()
    {
        Group = group, Version = "v1", Kind = kind, Plural = plural, Singular = kind.ToLowerInvariant(), Namespaced = false,
        Storage = new(group, plural), Verbs = CreateOnly,
    };

    /// <summary>RBAC kinds print their creation time as RFC 3339, not as an age.</summary>
    private static PrinterColumn CreatedAt() => Computed("Created At", "date", o => o.Walk("metadata.creationTimestamp")?.DeepClone());

    private static readonly IReadOnlyList<PrinterColumn> BindingColumns =
    [
        Computed("Role", "string", o => $"{o.Walk("roleRef.kind")}/{o.Walk("roleRef.name")}"),
        AgeColumn(),
        Computed("Users", "string", o => Subjects(o, "User")) with { Priority = 1 },
        Computed("Groups", "string", o => Subjects(o, "Group")) with { Priority = 1 },
        Computed("ServiceAccounts", "string", o => Subjects(o, "ServiceAccount")) with { Priority = 1 },
    ];

    private static JsonNode? Subjects(JsonObject binding, string kind) =>
        string.Join(", ", (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(s => s.GetString("kind") == kind)
            .Select(s => kind == "ServiceAccount" ? $"{s.GetString("namespace") ?? binding.Namespace()}/{s.GetString("name")}" : s.GetString("name")));
}
