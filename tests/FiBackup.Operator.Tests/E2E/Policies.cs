using System.Text.Json.Nodes;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>VmBackupPolicy manifests as a user writes them; tests change fields of the spec to taste.</summary>
public static class Policies
{
    /// <summary>
    /// A policy backing up <paramref name="domains"/> of qemu:///system into the cluster's claim, on a
    /// schedule that never comes during a test (runs come from fibackup.io/run-now).
    /// </summary>
    public static JsonObject For(string name, IEnumerable<string> domains, string? runNow = null, string? subPath = null)
    {
        var claim = new JsonObject { ["claimName"] = OperatorCluster.Claim };
        if (subPath is not null) claim["subPath"] = subPath;
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = OperatorCluster.Namespace };
        if (runNow is not null) metadata["annotations"] = new JsonObject { ["fibackup.io/run-now"] = runNow };
        return new JsonObject
        {
            ["apiVersion"] = "fibackup.io/v1alpha1",
            ["kind"] = "VmBackupPolicy",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["source"] = new JsonObject { ["libvirt"] = new JsonObject { ["uri"] = LibvirtFixture.Uri } },
                ["domains"] = new JsonObject { ["names"] = new JsonArray(domains.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()) },
                // 1 January at 03:00: never due while a test runs.
                ["schedule"] = "0 3 1 1 *",
                ["destination"] = new JsonObject { ["persistentVolumeClaim"] = claim },
                ["quiesce"] = "Disabled",
            },
        };
    }

    public static JsonObject Spec(this JsonObject policy) => policy["spec"]!.AsObject();
}
