using System.Text.Json;
using FiBackup.Engine.Repository;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>What tests look at inside the scenario's repository and images.</summary>
public sealed partial class BackupScenario
{
    /// <summary>The repository folder of this scenario's domain (&lt;repository&gt;/&lt;host&gt;/&lt;domain&gt;).</summary>
    public string DomainDirectory =>
        Directory.GetDirectories(Repository).Select(host => Path.Combine(host, Domain.Name)).Single(Directory.Exists);

    public RestorePointManifest Manifest(string pointId) =>
        JsonSerializer.Deserialize<RestorePointManifest>(
            File.ReadAllBytes(Path.Combine(DomainDirectory, "points", pointId + ".json")), RepositoryJson.Options)!;

    /// <summary>Whether a qcow2 image has subclusters (extended L2 entries), as `qemu-img info` reports it.</summary>
    public static async Task<bool> HasSubclustersAsync(string image)
    {
        using var info = JsonDocument.Parse(await HostTool.RunAsync("qemu-img", "info", "-U", "--output=json", image));
        return info.RootElement.TryGetProperty("format-specific", out var specific)
               && specific.GetProperty("data").TryGetProperty("extended-l2", out var extended) && extended.GetBoolean();
    }
}
