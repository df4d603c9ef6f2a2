using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// The bootstrap ClusterRoles and ClusterRoleBindings kube-apiserver creates at start that matter to clients
/// here: cluster-admin for system:masters, discovery and self-review for every authenticated user, health and
/// version for everyone (anonymous included). The aggregated admin/edit/view roles are not created.
/// </summary>
public static class DefaultRoles
{
    public static IEnumerable<JsonObject> All()
    {
        yield return ClusterRole("cluster-admin",
            Rule(["*"], groups: ["*"], resources: ["*"]), Rule(["*"], urls: ["*"]));
        yield return ClusterRole("system:discovery",
            Rule(["get"], urls: ["/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"]));
        yield return ClusterRole("system:basic-user",
            Rule(["create"], groups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], groups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]));
        yield return ClusterRole("system:public-info-viewer",
            Rule(["get"], urls: ["/livez", "/readyz", "/healthz", "/version", "/version/"]));

        yield return ClusterRoleBinding("cluster-admin", UserInfo.Masters);
        yield return ClusterRoleBinding("system:discovery", UserInfo.Authenticated);
        yield return ClusterRoleBinding("system:basic-user", UserInfo.Authenticated);
        yield return ClusterRoleBinding("system:public-info-viewer", UserInfo.Authenticated, UserInfo.Unauthenticated);
    }

    private static JsonObject Metadata(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static JsonObject ClusterRole(string name, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = $"{RbacPolicy.Group}/v1", ["kind"] = "ClusterRole", ["metadata"] = Metadata(name),
        ["rules"] = new JsonArray(rules.Select(r => (JsonNode?)r).ToArray()),
    };

    private static JsonObject ClusterRoleBinding(string name, params string[] groups) => new()
    {
        ["apiVersion"] = $"{RbacPolicy.Group}/v1", ["kind"] = "ClusterRoleBinding", ["metadata"] = Metadata(name),
        ["roleRef"] = new JsonObject { ["apiGroup"] = RbacPolicy.Group, ["kind"] = "ClusterRole", ["name"] = name },
        ["subjects"] = new JsonArray(groups.Select(g => (JsonNode?)new JsonObject
        {
            ["apiGroup"] = RbacPolicy.Group, ["kind"] = "Group", ["name"] = g,
        }).ToArray()),
    };

    private static JsonObject Rule(string[] verbs, string[]? groups = null, string[]? resources = null, string[]? urls = null) =>
        new PolicyRule(verbs, groups ?? [], resources ?? [], [], urls ?? []).ToJson();
}
