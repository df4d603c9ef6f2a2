using System.Text.Json;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;

namespace FiBackup.KubeApi.Tests;

/// <summary>The YAML assets next to the tests and small helpers shared by the test classes.</summary>
internal static class TestAssets
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Assets", name);

    public static string Read(string name) => File.ReadAllText(PathOf(name));

    /// <summary>A server with the sample VmBackup CRD installed.</summary>
    public static async Task<KubeApiServer> StartWithVmBackupCrdAsync(KubeApiServerOptions? options = null)
    {
        var api = await KubeApiServer.StartAsync(options);
        await api.CreateFromYamlAsync(Read("vmbackup-crd.yaml"));
        return api;
    }

    public static JsonObject VmBackup(string name, string domain = "web-1", string ns = "default") => new()
    {
        ["apiVersion"] = "fibackup.io/v1alpha1",
        ["kind"] = "VmBackup",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject { ["domain"] = domain },
    };

    /// <summary>KubernetesClient returns untyped custom objects as JsonElement; tests read them as JsonNode.</summary>
    public static JsonObject AsNode(object? value) => value switch
    {
        JsonElement e => (JsonObject)JsonNode.Parse(e.GetRawText())!,
        JsonObject o => o,
        _ => (JsonObject)JsonNode.Parse(JsonSerializer.Serialize(value))!,
    };
}
