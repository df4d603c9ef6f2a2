using System.Diagnostics;
using System.Net;
using FiBackup.Testing.KubeApi;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.KubeApi.Tests;

/// <summary>The faults operator tests will lean on, and the server's own life cycle.</summary>
public sealed class FaultInjectionTests : ServerAndClient
{
    [Theory]
    [InlineData(500, "InternalError")]
    [InlineData(429, "TooManyRequests")]
    [InlineData(409, "Conflict")]
    public async Task The_next_requests_fail_with_the_injected_status_then_recover(int code, string reason)
    {
        _api.Faults.FailNextRequests(2, code);
        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedConfigMapAsync("default"));
            Assert.Equal((HttpStatusCode)code, error.Response.StatusCode);
            Assert.Contains($"\"reason\":\"{reason}\"", error.Response.Content);
        }
        Assert.Equal(0, _api.Faults.PendingFailures);
        await _client.CoreV1.ListNamespacedConfigMapAsync("default");
    }

    [Fact]
    public async Task Failures_can_target_only_some_requests()
    {
        _api.Faults.FailNextRequests(1, 500, request => request.Method == "PUT");
        var cm = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, "default");
        await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "x", "default"));
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "x", "default");
    }

    [Fact]
    public async Task Latency_delays_every_resource_request()
    {
        _api.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var clock = Stopwatch.StartNew();
        await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Dropping_watches_ends_open_streams()
    {
        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        var ended = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in _client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token)) { }
            }
            catch (HttpRequestException)
            {
                // KubernetesClient reports the end of a watch response as a failed read; either way the stream ended.
            }
        });
        while (_api.OpenWatches == 0) await Task.Delay(10, cancel.Token);
        Assert.Equal(1, _api.Faults.DropAllWatches());
        await ended.WaitAsync(cancel.Token);
    }

    [Fact]
    public async Task Servers_start_fast_and_run_side_by_side_on_their_own_ports()
    {
        var clock = Stopwatch.StartNew();
        await using var second = await KubeApiServer.StartAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"start took {clock.Elapsed}");
        Assert.NotEqual(_api.Url, second.Url);
        Assert.NotEqual(_api.KubeconfigPath, second.KubeconfigPath);

        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "only-here" } }, "default");
        using var other = second.CreateClient();
        Assert.Empty((await other.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
    }

    [Fact]
    public async Task Discovery_lists_a_crd_resource_as_soon_as_it_is_created()
    {
        Assert.DoesNotContain((await _client.Apis.GetAPIVersionsAsync()).Groups, g => g.Name == "fibackup.io");
        await _api.CreateFromYamlAsync(TestAssets.Read("vmbackup-crd.yaml"));
        var group = Assert.Single((await _client.Apis.GetAPIVersionsAsync()).Groups, g => g.Name == "fibackup.io");
        Assert.Equal("fibackup.io/v1alpha1", group.PreferredVersion.GroupVersion);

        using var http = _api.CreateHttpClient();
        var resources = await http.GetStringAsync("apis/fibackup.io/v1alpha1");
        Assert.Contains("\"name\":\"vmbackups/status\"", resources);
        Assert.Contains("\"shortNames\":[\"vmb\"]", resources);
        var openapi = await http.GetStringAsync("openapi/v3");
        Assert.Contains("apis/fibackup.io/v1alpha1", openapi);
    }
}
