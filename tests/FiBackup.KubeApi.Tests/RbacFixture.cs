using FiBackup.Testing.KubeApi;

namespace FiBackup.KubeApi.Tests;

/// <summary>A server with the VmBackup CRD, namespace "ops", ServiceAccount ops/mover and a kubectl that runs as it.</summary>
public abstract class RbacFixture : IAsyncLifetime
{
    protected const string Mover = "system:serviceaccount:ops:mover";
    protected KubeApiServer Api = null!;
    protected Kubectl AsMover = null!;

    public async Task InitializeAsync()
    {
        Api = await TestAssets.StartWithVmBackupCrdAsync();
        await AdminApplyAsync("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: ops}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: mover, namespace: ops}
            """);
        AsMover = Api.KubectlWith(Api.WriteKubeconfigFor("ops", "mover"));
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();

    protected async Task<KubectlResult> AdminApplyAsync(string yaml) =>
        (await Api.Kubectl.RunAsync(["apply", "-f", "-"], yaml, TimeSpan.FromSeconds(60))).EnsureSuccess();

    protected Task<KubectlResult> MoverAsync(params string[] args) => AsMover.RunAsync(args);

    protected Task CreateVmBackupAsync(string name, string ns = "ops") => AdminApplyAsync($$"""
        apiVersion: fibackup.io/v1alpha1
        kind: VmBackup
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec: {domain: web-1}
        """);

    /// <summary>A Role (or ClusterRole when ns is null) with one rule, bound to ops/mover by a RoleBinding in bindingNamespace.</summary>
    protected Task GrantAsync(string name, string verbs, string resources, string? ns = "ops", string bindingNamespace = "ops",
        string group = "fibackup.io", string resourceNames = "[]")
    {
        var roleKind = ns is null ? "ClusterRole" : "Role";
        var roleNamespace = ns is null ? "" : $", namespace: {ns}";
        return AdminApplyAsync($$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: {{roleKind}}
            metadata: {name: {{name}}{{roleNamespace}}}
            rules:
            - apiGroups: ["{{group}}"]
              resources: {{resources}}
              verbs: {{verbs}}
              resourceNames: {{resourceNames}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: {{name}}, namespace: {{bindingNamespace}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: {{roleKind}}, name: {{name}}}
            subjects:
            - {kind: ServiceAccount, name: mover, namespace: ops}
            """);
    }
}
