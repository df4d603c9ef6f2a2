using FiBackup.Testing.KubeApi;
using k8s;

namespace FiBackup.KubeApi.Tests;

/// <summary>Per test: a fresh local API server and a KubernetesClient on its admin kubeconfig.</summary>
public abstract class ServerAndClient : IAsyncLifetime
{
    protected KubeApiServer _api = null!;
    protected Kubernetes _client = null!;

    /// <summary>How the server starts; a test class that needs CRDs or options overrides it.</summary>
    protected virtual Task<KubeApiServer> StartServerAsync() => KubeApiServer.StartAsync();

    public async Task InitializeAsync()
    {
        _api = await StartServerAsync();
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }
}
