using System.Text.Json.Nodes;
using FiBackup.Testing;
using FiBackup.Testing.ArgoCd;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// The Argo CD health checks (examples/argocd/resource_customizations) run over the live objects the
/// operator wrote, so they keep matching what the operator really writes. With
/// FIBACKUP_ARGOCD_TESTDATA=DIR set, each checked object is also saved (without uid/resourceVersion
/// noise) as DIR/&lt;Kind&gt;/&lt;name&gt;.json, the source of the committed testdata.
/// </summary>
internal static class ArgoCdHealth
{
    public static Task<HealthStatus> AssertAsync(OperatorCluster cluster, string resource, string name, string expectedStatus, string? saveAs = null) =>
        AssertAnyAsync(cluster, resource, name, [expectedStatus], saveAs);

    public static async Task<HealthStatus> AssertAnyAsync(OperatorCluster cluster, string resource, string name, string[] expectedStatuses, string? saveAs = null)
    {
        var result = await cluster.KubectlOkAsync("get", resource, name, "-n", OperatorCluster.Namespace, "-o", "json");
        var obj = JsonNode.Parse(result.StdOut)!.AsObject();
        var kind = obj["kind"]!.GetValue<string>();
        var health = await LuaHealthCheck.RunAsync(
            SourceCheckout.PathOf($"examples/argocd/resource_customizations/fibackup.io/{kind}/health.lua"), obj.ToJsonString());
        Assert.True(expectedStatuses.Contains(health.Status),
            $"Argo CD health of {resource}/{name}: expected {string.Join(" or ", expectedStatuses)}, got {health}\n{obj["status"]?.ToJsonString()}");
        Assert.False(string.IsNullOrWhiteSpace(health.Message), $"Argo CD health of {resource}/{name} has no message");

        if (saveAs is not null && Environment.GetEnvironmentVariable("FIBACKUP_ARGOCD_TESTDATA") is { Length: > 0 } dir)
        {
            var metadata = obj["metadata"]!.AsObject();
            foreach (var noise in new[] { "uid", "resourceVersion", "managedFields", "selfLink" }) metadata.Remove(noise);
            if (metadata["ownerReferences"] is JsonArray owners)
                foreach (var owner in owners) owner!.AsObject()["uid"] = "00000000-0000-0000-0000-000000000000";
            Directory.CreateDirectory(Path.Combine(dir, kind));
            await File.WriteAllTextAsync(Path.Combine(dir, kind, $"{saveAs}-{health.Status.ToLowerInvariant()}.json"),
                obj.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        return health;
    }
}
