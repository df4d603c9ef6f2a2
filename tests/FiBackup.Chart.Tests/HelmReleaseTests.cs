using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;

namespace FiBackup.Chart.Tests;

/// <summary>`helm install`, `helm upgrade` and `helm uninstall` of the chart against the local API server.</summary>
public sealed class HelmReleaseTests : IAsyncLifetime
{
    private const string Namespace = "fibackup-system";
    private const string Release = "fib";
    private const string Deployment = "fib-fi-backup-operator";
    private KubeApiServer _api = null!;
    private Helm _helm = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync();
        _helm = new Helm(_api);
        (await _api.Kubectl.RunAsync("create", "namespace", Namespace)).EnsureSuccess();
    }

    [Fact]
    public async Task Install_upgrade_with_a_changed_value_and_uninstall_work_against_the_api_server()
    {
        var install = await HelmAsync("install", Release, Checkout.Chart, "-n", Namespace, "--wait=false");
        Assert.Contains("STATUS: deployed", install);
        // crds/ went in with the first install.
        (await _api.Kubectl.RunAsync("get", "crd", "vmbackups.fibackup.io", "vmbackuppolicies.fibackup.io", "vmrestores.fibackup.io")).EnsureSuccess();
        Assert.Equal(1, (await DeploymentAsync())["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains("--workers=8", Args(await DeploymentAsync()));
        // Helm keeps the release as a Secret of type helm.sh/release.v1.
        var secrets = (await _api.Kubectl.RunAsync("get", "secrets", "-n", Namespace, "-l", $"owner=helm,name={Release}", "-o", "name")).EnsureSuccess().StdOut;
        Assert.Contains($"secret/sh.helm.release.v1.{Release}.v1", secrets);

        var upgrade = await HelmAsync("upgrade", Release, Checkout.Chart, "-n", Namespace, "--set", "replicas=2", "--set", "workers=3");
        Assert.Contains("STATUS: deployed", upgrade);
        Assert.Contains("REVISION: 2", upgrade);
        var upgraded = await DeploymentAsync();
        Assert.Equal(2, upgraded["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains("--workers=3", Args(upgraded));
        Assert.Contains("--leader-elect", Args(upgraded));

        var status = await HelmAsync("status", Release, "-n", Namespace);
        Assert.Contains("REVISION: 2", status);

        await HelmAsync("uninstall", Release, "-n", Namespace, "--wait");
        var gone = await _api.Kubectl.RunAsync("get", "deployment", Deployment, "-n", Namespace);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.StdErr);
        var roles = (await _api.Kubectl.RunAsync("get", "clusterroles,roles", "-A", "-l", $"app.kubernetes.io/instance={Release}", "-o", "name")).EnsureSuccess();
        Assert.Equal("", roles.StdOut.Trim());
        // As Helm documents: CRDs from crds/ stay (deleting them would delete every VmBackup).
        (await _api.Kubectl.RunAsync("get", "crd", "vmbackups.fibackup.io")).EnsureSuccess();
    }

    private async Task<string> HelmAsync(params string[] args)
    {
        var result = await _helm.RunAsync(args, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"{result.CommandLine} exited {result.ExitCode}\n{result.StdErr}\n{result.StdOut}");
        return result.StdOut;
    }

    private async Task<JsonNode> DeploymentAsync() =>
        JsonNode.Parse((await _api.Kubectl.RunAsync("get", "deployment", Deployment, "-n", Namespace, "-o", "json")).EnsureSuccess().StdOut)!;

    private static List<string> Args(JsonNode deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();

    public async Task DisposeAsync()
    {
        _helm.Dispose();
        await _api.DisposeAsync();
    }
}
