using FiBackup.Testing.KubeApi;

namespace FiBackup.KubeApi.Tests;

/// <summary>RBAC enforcement as the real kubectl sees it, running with a ServiceAccount's kubeconfig.</summary>
public sealed class RbacKubectlTests : RbacFixture
{
    private static void AssertForbidden(KubectlResult result, string message)
    {
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.StdErr.Contains("Error from server (Forbidden): ", StringComparison.Ordinal), result.StdErr);
        Assert.True(result.StdErr.Contains(message, StringComparison.Ordinal), result.StdErr);
    }

    [Fact]
    public async Task A_service_account_without_roles_sees_the_403_of_the_list_not_a_discovery_error()
    {
        var result = await MoverAsync("get", "vmbackups");
        AssertForbidden(result, $"vmbackups.fibackup.io is forbidden: User \"{Mover}\" cannot list resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"ops\"");
        Assert.DoesNotContain("discovery", result.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_role_allows_its_verbs_in_its_namespace_only()
    {
        await CreateVmBackupAsync("b1");
        await CreateVmBackupAsync("b2", ns: "default");
        await GrantAsync("reader", "[get, list]", "[vmbackups]");

        var list = (await MoverAsync("get", "vmbackups")).EnsureSuccess();
        Assert.Contains("b1", list.StdOut);
        AssertForbidden(await MoverAsync("get", "vmbackups", "-n", "default"),
            $"vmbackups.fibackup.io is forbidden: User \"{Mover}\" cannot list resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"default\"");
        AssertForbidden(await MoverAsync("delete", "vmbackup", "b1"),
            $"vmbackups.fibackup.io \"b1\" is forbidden: User \"{Mover}\" cannot delete resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"ops\"");
    }

    [Fact]
    public async Task A_rolebinding_to_a_clusterrole_grants_its_rules_in_the_binding_namespace_only()
    {
        await CreateVmBackupAsync("b1");
        await CreateVmBackupAsync("b2", ns: "default");
        await GrantAsync("vmbackup-reader", "[get, list]", "[vmbackups]", ns: null);

        (await MoverAsync("get", "vmbackup", "b1")).EnsureSuccess();
        AssertForbidden(await MoverAsync("get", "vmbackup", "b2", "-n", "default"),
            $"vmbackups.fibackup.io \"b2\" is forbidden: User \"{Mover}\" cannot get resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"default\"");
    }

    [Fact]
    public async Task A_clusterrolebinding_to_a_group_grants_cluster_scoped_resources()
    {
        AssertForbidden(await MoverAsync("get", "namespaces"),
            $"namespaces is forbidden: User \"{Mover}\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
        await AdminApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: namespace-reader}
            rules: [{apiGroups: [""], resources: [namespaces], verbs: [get, list]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: ops-service-accounts-read-namespaces}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-reader}
            subjects: [{kind: Group, name: "system:serviceaccounts:ops"}]
            """);
        Assert.Contains("kube-system", (await MoverAsync("get", "namespaces")).EnsureSuccess().StdOut);
    }

    [Fact]
    public async Task Resource_names_limit_a_rule_to_the_named_objects()
    {
        await CreateVmBackupAsync("mine");
        await CreateVmBackupAsync("theirs");
        await GrantAsync("only-mine", "[get]", "[vmbackups]", resourceNames: "[mine]");

        (await MoverAsync("get", "vmbackup", "mine")).EnsureSuccess();
        AssertForbidden(await MoverAsync("get", "vmbackup", "theirs"),
            $"vmbackups.fibackup.io \"theirs\" is forbidden: User \"{Mover}\" cannot get resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"ops\"");
        AssertForbidden(await MoverAsync("get", "vmbackups"),
            $"vmbackups.fibackup.io is forbidden: User \"{Mover}\" cannot list resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"ops\"");
    }

    [Fact]
    public async Task A_watch_needs_the_watch_verb_besides_list()
    {
        await GrantAsync("lister", "[list]", "[vmbackups]");
        await using var watch = AsMover.Start("get", "vmbackups", "--watch-only");
        var exit = await watch.WaitForExitAsync(TestAssets.Patience);
        Assert.NotEqual(0, exit);
        Assert.Contains($"User \"{Mover}\" cannot watch resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"ops\"", watch.StdErr);
    }

    [Fact]
    public async Task Kubectl_auth_can_i_answers_for_the_service_account_and_for_the_admin_impersonating_it()
    {
        var before = await MoverAsync("auth", "can-i", "list", "vmbackups.fibackup.io");
        Assert.Equal("no", before.StdOut.Trim());
        var impersonatedBefore = await Api.Kubectl.RunAsync("auth", "can-i", "list", "vmbackups.fibackup.io", "-n", "ops", $"--as={Mover}");
        Assert.Equal("no", impersonatedBefore.StdOut.Trim());

        await GrantAsync("lister", "[list]", "[vmbackups]");
        Assert.Equal("yes", (await MoverAsync("auth", "can-i", "list", "vmbackups.fibackup.io")).StdOut.Trim());
        Assert.Equal("yes", (await Api.Kubectl.RunAsync("auth", "can-i", "list", "vmbackups.fibackup.io", "-n", "ops", $"--as={Mover}")).StdOut.Trim());
        Assert.Equal("no", (await MoverAsync("auth", "can-i", "delete", "vmbackups.fibackup.io")).StdOut.Trim());
    }

    [Fact]
    public async Task Kubectl_auth_whoami_names_the_service_account_and_its_groups()
    {
        var whoami = (await MoverAsync("auth", "whoami")).EnsureSuccess().StdOut;
        Assert.Contains(Mover, whoami);
        Assert.Contains("system:serviceaccounts:ops", whoami);
        Assert.Contains("system:authenticated", whoami);
    }

    [Fact]
    public async Task Creating_a_role_with_rules_the_creator_lacks_is_forbidden_as_escalation()
    {
        await GrantAsync("role-writer", "[create, get]", "[roles]", group: "rbac.authorization.k8s.io");
        await GrantAsync("reader", "[get]", "[vmbackups]");

        var escalating = await AsMover.RunAsync(["create", "-f", "-"], """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: deleter, namespace: ops}
            rules: [{apiGroups: [fibackup.io], resources: [vmbackups], verbs: [get, delete]}]
            """, TimeSpan.FromSeconds(60));
        AssertForbidden(escalating,
            "roles.rbac.authorization.k8s.io \"deleter\" is forbidden: user \"system:serviceaccount:ops:mover\" " +
            "(groups=[\"system:serviceaccounts\" \"system:serviceaccounts:ops\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
            "{APIGroups:[\"fibackup.io\"], Resources:[\"vmbackups\"], Verbs:[\"delete\"]}");

        (await AsMover.RunAsync(["create", "-f", "-"], """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: getter, namespace: ops}
            rules: [{apiGroups: [fibackup.io], resources: [vmbackups], verbs: [get]}]
            """, TimeSpan.FromSeconds(60))).EnsureSuccess();
    }

    [Fact]
    public async Task Kubectl_create_token_returns_a_token_the_server_accepts_as_the_service_account()
    {
        var token = (await Api.Kubectl.RunAsync("create", "token", "mover", "-n", "ops")).EnsureSuccess().StdOut.Trim();
        Assert.Equal(3, token.Split('.').Length);

        using var http = new HttpClient { BaseAddress = Api.Url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await http.GetAsync("api/v1/namespaces/ops/secrets");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"User \\\"{Mover}\\\" cannot list resource \\\"secrets\\\"", await response.Content.ReadAsStringAsync());
    }
}
