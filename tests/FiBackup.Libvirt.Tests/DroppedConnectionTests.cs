using FiBackup.Engine.Tools;
namespace FiBackup.Libvirt.Tests;

[Collection(nameof(SerialCollection))]
/// <summary>Runs alone: it tells its own connection from the others of this process by watching which one appears.</summary>
public sealed class DroppedConnectionTests
{
    [Fact]
    public async Task A_connection_the_daemon_dropped_throws_LibvirtException_and_reports_it_is_not_alive()
    {
        var before = await OurClientIdsAsync();
        using var connection = LibvirtConnection.Open(LibvirtFixture.Uri);
        var ours = Assert.Single((await OurClientIdsAsync()).Except(before));

        await HostTool.RunAsync("virt-admin", "client-disconnect", "libvirtd", ours);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (connection.IsAlive && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.False(connection.IsAlive);
        var error = Assert.Throws<LibvirtException>(() => connection.ListDomains());
        Assert.StartsWith("libvirt: ", error.Message);
        using var fresh = LibvirtConnection.Open(LibvirtFixture.Uri);
        Assert.True(fresh.IsAlive);
    }

    /// <summary>libvirtd's client ids whose peer is this process (virt-admin client-info shows the peer pid of unix clients).</summary>
    private static async Task<HashSet<string>> OurClientIdsAsync()
    {
        var ids = new HashSet<string>();
        var list = await HostTool.RunAsync("virt-admin", "srv-clients-list", "libvirtd");
        foreach (var line in list.Split('\n').Skip(2))
        {
            var id = line.Trim().Split(' ', 2)[0];
            if (id.Length == 0 || !id.All(char.IsAsciiDigit)) continue;
            // Another process's client may close between the list and this call (any virsh run on the
            // machine): it was not ours, so it is skipped. Ours stay open while the test holds them.
            var result = await ExternalTool.RunAsync("virt-admin", ["client-info", "libvirtd", id], CancellationToken.None, throwOnFailure: false);
            if (result.ExitCode != 0 && result.StandardError.Contains("Client not found", StringComparison.Ordinal)) continue;
            if (result.ExitCode != 0) throw new InvalidOperationException($"virt-admin client-info libvirtd {id} failed: {result.StandardError}");
            var info = result.StandardOutput;
            if (info.Split('\n').Any(l => l.StartsWith("unix_process_id") && l.Split(':')[1].Trim() == Environment.ProcessId.ToString()))
                ids.Add(id);
        }
        return ids;
    }
}
