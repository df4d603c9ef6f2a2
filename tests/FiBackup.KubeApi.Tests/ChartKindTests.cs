using FiBackup.Testing.KubeApi;

namespace FiBackup.KubeApi.Tests;

/// <summary>The kinds a Helm chart creates, applied, listed and deleted with the real kubectl.</summary>
public sealed class ChartKindTests : IAsyncLifetime
{
    private KubeApiServer _api = null!;

    // The CRD makes kubectl auth can-i resolve vmbackups.fibackup.io to its group (unknown resources are sent as named).
    public async Task InitializeAsync() => _api = await TestAssets.StartWithVmBackupCrdAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task<KubectlResult> Kubectl(params string[] args) => _api.Kubectl.RunAsync(args);

    private async Task<KubectlResult> ApplyAsync(string yaml) =>
        (await _api.Kubectl.RunAsync(["apply", "-f", "-"], yaml, TimeSpan.FromSeconds(60))).EnsureSuccess();

    private static string Deployment(string image) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: operator, namespace: default}
        spec:
          selector: {matchLabels: {app: operator}}
          template:
            metadata: {labels: {app: operator}}
            spec:
              containers: [{name: operator, image: "{{{image}}}"}]
        """;

    [Fact]
    public async Task A_deployment_is_applied_defaulted_listed_and_its_generation_follows_spec_changes()
    {
        Assert.Contains("deployment.apps/operator created", (await ApplyAsync(Deployment("fibackup:1"))).StdOut);
        var table = (await Kubectl("get", "deploy")).EnsureSuccess().StdOut.Split('\n');
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s*$", table[0]);
        Assert.Matches(@"^operator\s+0/1\s+0\s+0\s+\d+s\s*$", table[1]);
        Assert.Equal("1 1 RollingUpdate", (await Kubectl("get", "deploy", "operator", "-o", "jsonpath={.metadata.generation} {.spec.replicas} {.spec.strategy.type}")).EnsureSuccess().StdOut);

        Assert.Contains("unchanged", (await ApplyAsync(Deployment("fibackup:1"))).StdOut);
        Assert.Contains("configured", (await ApplyAsync(Deployment("fibackup:2"))).StdOut);
        Assert.Equal("2", (await Kubectl("get", "deploy", "operator", "-o", "jsonpath={.metadata.generation}")).EnsureSuccess().StdOut);
        (await Kubectl("patch", "deploy", "operator", "--subresource=status", "--type=merge", "-p", """{"status":{"readyReplicas":1,"replicas":1}}""")).EnsureSuccess();
        Assert.Equal("2 1", (await Kubectl("get", "deploy", "operator", "-o", "jsonpath={.metadata.generation} {.status.readyReplicas}")).EnsureSuccess().StdOut);

        Assert.Contains("deployment.apps \"operator\" deleted", (await Kubectl("delete", "deploy", "operator")).EnsureSuccess().StdOut);
    }

    [Fact]
    public async Task A_deployment_whose_selector_does_not_match_its_template_is_invalid()
    {
        var result = await _api.Kubectl.RunAsync(["apply", "-f", "-"], Deployment("x").Replace("{app: operator}}\n  template", "{app: other}}\n  template"), TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.template.metadata.labels: Invalid value", result.StdErr);
    }

    [Fact]
    public async Task A_service_gets_a_cluster_ip_that_a_reapply_keeps()
    {
        const string service = """
            apiVersion: v1
            kind: Service
            metadata: {name: metrics, namespace: default}
            spec:
              selector: {app: operator}
              ports: [{name: metrics, port: 8080}]
            """;
        Assert.Contains("service/metrics created", (await ApplyAsync(service)).StdOut);
        var ip = (await Kubectl("get", "svc", "metrics", "-o", "jsonpath={.spec.clusterIP}")).EnsureSuccess().StdOut;
        Assert.StartsWith("10.96.", ip);
        Assert.Contains("unchanged", (await ApplyAsync(service)).StdOut);
        Assert.Equal(ip, (await Kubectl("get", "svc", "metrics", "-o", "jsonpath={.spec.clusterIP}")).EnsureSuccess().StdOut);

        var table = (await Kubectl("get", "svc")).EnsureSuccess().StdOut.Split('\n');
        Assert.Matches(@"^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s*$", table[0]);
        Assert.Matches($@"^metrics\s+ClusterIP\s+{ip.Replace(".", @"\.")}\s+<none>\s+8080/TCP\s+\d+s\s*$", table[1]);
        (await Kubectl("delete", "svc", "metrics")).EnsureSuccess();
    }

    [Fact]
    public async Task Rbac_kinds_and_a_disruption_budget_apply_list_and_delete()
    {
        const string yaml = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: operator, namespace: default}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: "fibackup:operator"}
            rules: [{apiGroups: [fibackup.io], resources: [vmbackups, vmbackups/status], verbs: [get, list, watch, patch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: "fibackup:operator"}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "fibackup:operator"}
            subjects: [{kind: ServiceAccount, name: operator, namespace: default}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: leader-election, namespace: default}
            rules: [{apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: leader-election, namespace: default}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leader-election}
            subjects: [{kind: ServiceAccount, name: operator}]
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: operator, namespace: default}
            spec: {maxUnavailable: 1, selector: {matchLabels: {app: operator}}}
            """;
        var applied = (await ApplyAsync(yaml)).StdOut;
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/fibackup:operator created", applied);
        Assert.Contains("clusterrolebinding.rbac.authorization.k8s.io/fibackup:operator created", applied);
        Assert.Contains("role.rbac.authorization.k8s.io/leader-election created", applied);
        Assert.Contains("rolebinding.rbac.authorization.k8s.io/leader-election created", applied);
        Assert.Contains("poddisruptionbudget.policy/operator created", applied);
        Assert.Contains("unchanged", (await ApplyAsync(yaml)).StdOut);

        var bindings = (await Kubectl("get", "rolebindings", "-o", "wide")).EnsureSuccess().StdOut.Split('\n');
        Assert.Matches(@"^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\s*$", bindings[0]);
        Assert.Matches(@"^leader-election\s+Role/leader-election\s+\d+s\s+default/operator\s*$", bindings[1]);
        Assert.Matches(@"fibackup:operator\s+\d{4}-\d\d-\d\dT", (await Kubectl("get", "clusterroles")).EnsureSuccess().StdOut);
        Assert.Contains("system:discovery", (await Kubectl("get", "clusterrolebindings")).EnsureSuccess().StdOut);
        var pdb = (await Kubectl("get", "pdb")).EnsureSuccess().StdOut.Split('\n');
        Assert.Matches(@"^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\s*$", pdb[0]);
        Assert.Matches(@"^operator\s+N/A\s+1\s+0\s+\d+s\s*$", pdb[1]);

        // The operator's service account now holds what the ClusterRole grants, and nothing else.
        var canPatchStatus = await Kubectl("auth", "can-i", "patch", "vmbackups.fibackup.io", "--subresource=status", "--as=system:serviceaccount:default:operator");
        Assert.True(canPatchStatus.StdOut.Trim() == "yes", canPatchStatus.StdErr);
        Assert.Equal("no", (await Kubectl("auth", "can-i", "delete", "vmbackups.fibackup.io", "--as=system:serviceaccount:default:operator")).StdOut.Trim());

        var deleted = (await _api.Kubectl.RunAsync(["delete", "-f", "-"], yaml, TimeSpan.FromSeconds(60))).EnsureSuccess().StdOut;
        Assert.Contains("clusterrole.rbac.authorization.k8s.io \"fibackup:operator\" deleted", deleted);
        Assert.Contains("poddisruptionbudget.policy \"operator\" deleted", deleted);
    }
}
