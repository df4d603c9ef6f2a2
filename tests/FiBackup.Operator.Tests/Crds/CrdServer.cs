using FiBackup.Testing;
using FiBackup.Testing.KubeApi;

namespace FiBackup.Operator.Tests.Crds;

/// <summary>A local API server with the committed crds/ applied by kubectl and Established, and the examples' namespace.</summary>
internal static class CrdServer
{
    public const string Namespace = "vm-backups";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<KubeApiServer> StartAsync()
    {
        var api = await KubeApiServer.StartAsync(new KubeApiServerOptions { Namespaces = ["default", Namespace] });
        try
        {
            (await api.Kubectl.RunAsync("apply", "-f", SourceCheckout.PathOf("crds"))).EnsureSuccess();
            (await api.Kubectl.RunAsync("wait", "--for=condition=Established", "--timeout=30s",
                "crd/vmbackuppolicies.fibackup.io", "crd/vmbackups.fibackup.io", "crd/vmrestores.fibackup.io")).EnsureSuccess();
            return api;
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    public static Task<KubectlResult> ApplyAsync(this KubeApiServer api, string yaml) =>
        api.Kubectl.RunAsync(["apply", "-f", "-"], yaml, Patience);
}
