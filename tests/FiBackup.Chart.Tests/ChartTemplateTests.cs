using FiBackup.Testing.KubeApi;
using YamlDotNet.RepresentationModel;

namespace FiBackup.Chart.Tests;

/// <summary>
/// `helm template` output applied with `kubectl apply --dry-run=server` to the local API server after
/// `kubectl apply -f crds/`: every object the chart renders must pass the server's schemas.
/// </summary>
public sealed class ChartTemplateTests : IAsyncLifetime
{
    private const string ReleaseNamespace = "fibackup-system";
    private KubeApiServer _api = null!;
    private Helm _helm = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync();
        _helm = new Helm(_api);
        (await _api.Kubectl.RunAsync("apply", "-f", Checkout.PathOf("crds"))).EnsureSuccess();
        foreach (var ns in new[] { ReleaseNamespace, "vm-backups", "vm-backups-2" })
            (await _api.Kubectl.RunAsync("create", "namespace", ns)).EnsureSuccess();
    }

    [Fact]
    public async Task Default_values_render_objects_the_api_server_accepts()
    {
        var rendered = await TemplateAsync();
        // The operator's ClusterRole (all namespaces), the Lease Roles of operator and movers, the mover Role,
        // their bindings, two ServiceAccounts.
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "Role", "Role", "RoleBinding", "RoleBinding", "RoleBinding", "Service", "ServiceAccount", "ServiceAccount"],
            KindsOf(rendered).Order(StringComparer.Ordinal));
        await DryRunAsync(rendered);
    }

    [Fact]
    public async Task Non_default_values_render_objects_the_api_server_accepts()
    {
        (await _api.Kubectl.RunAsync("apply", "-f", Checkout.Asset("monitoring-crds.yaml"))).EnsureSuccess();
        var rendered = await TemplateAsync("-f", Checkout.Asset("non-default-values.yaml"));
        var kinds = KindsOf(rendered);
        Assert.Contains("ServiceMonitor", kinds);
        Assert.Contains("PrometheusRule", kinds);
        Assert.Contains("Job", kinds);               // the pre-upgrade CRD hook
        Assert.DoesNotContain("ClusterRoleBinding", KindsOf(rendered, except: "crd-upgrade"));   // watchNamespace: Roles only
        await DryRunAsync(rendered);
    }

    private async Task<string> TemplateAsync(params string[] extra)
    {
        var result = (await _helm.RunAsync(["template", "r", Checkout.Chart, "-n", ReleaseNamespace, .. extra], TimeSpan.FromMinutes(1))).EnsureSuccess();
        Assert.False(string.IsNullOrWhiteSpace(result.StdOut));
        return result.StdOut;
    }

    private async Task DryRunAsync(string rendered)
    {
        var apply = await _api.Kubectl.RunAsync(["apply", "--dry-run=server", "-f", "-"], rendered, TimeSpan.FromMinutes(1));
        Assert.True(apply.ExitCode == 0, $"{apply.CommandLine} refused the chart's output:\n{apply.StdErr}\n{apply.StdOut}");
        // One "(server dry run)" line per object: nothing was skipped.
        Assert.Equal(KindsOf(rendered).Count, apply.StdOut.Split('\n').Count(l => l.EndsWith("(server dry run)", StringComparison.Ordinal)));
    }

    internal static List<string> KindsOf(string yaml, string? except = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(d => d.RootNode as YamlMappingNode)
            .Where(m => m is not null && m.Children.ContainsKey("kind"))
            .Where(m => except is null || !((YamlMappingNode)m!["metadata"])["name"].ToString().Contains(except, StringComparison.Ordinal))
            .Select(m => m!["kind"].ToString())
            .ToList();
    }

    public async Task DisposeAsync()
    {
        _helm.Dispose();
        await _api.DisposeAsync();
    }
}
