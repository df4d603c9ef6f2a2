using FiBackup.Engine.Tools;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>A domain's libvirt checkpoints as `virsh checkpoint-list --name` shows them: what the bitmap technique left.</summary>
public static class Checkpoints
{
    /// <summary>The checkpoint names, sorted.</summary>
    public static async Task<IReadOnlyList<string>> OfAsync(string domain)
    {
        var listed = await ExternalTool.RunAsync("virsh", ["-c", LibvirtFixture.Uri, "checkpoint-list", domain, "--name"], CancellationToken.None);
        return listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Order(StringComparer.Ordinal).ToList();
    }
}
