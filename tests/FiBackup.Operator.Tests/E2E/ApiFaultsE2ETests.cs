using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.KubeApi.Faults;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>The API server misbehaves as real ones do (watches end, resourceVersions expire, 500s, conflicts); the operator keeps converging.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class ApiFaultsE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    /// <summary>
    /// Only the operator's writes fail (VmBackups, any status, Leases, Events), not the test's own
    /// `kubectl annotate` of the policy nor its reads.
    /// </summary>
    private static bool IsWrite(FaultTarget target) =>
        target.Method is "POST" or "PUT" or "PATCH" or "DELETE"
        && (target.Resource is "vmbackups" or "leases" or "events" || target.Path.EndsWith("/status", StringComparison.Ordinal));

    [Fact]
    public async Task Watches_dropped_and_resource_versions_expired_do_not_stop_reconciling()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        await vm.WriteAsync("vda", 0, MiB, 0x41);
        cluster.StartOperator();
        await cluster.ApplyAsync(Policies.For("faults", [vm.Name]));
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), "vmbackuppolicy/faults");
        await cluster.PollAsync("the operator's watches", TimeSpan.FromSeconds(30), () => Task.FromResult(cluster.Api.OpenWatches > 0 ? "open" : null));

        // Every open watch ends and every resourceVersion handed out is now 410 Gone: informers must relist.
        var dropped = cluster.Api.Faults.DropAllWatches();
        cluster.Api.Faults.ExpireResourceVersions();
        output.WriteLine($"dropped {dropped} watches and expired every resourceVersion");
        await AssertRunSucceedsAsync(cluster, vm);

        cluster.Api.Faults.FailNextRequests(5, 500, IsWrite);
        await AssertRunSucceedsAsync(cluster, vm);
        Assert.Equal(0, cluster.Api.Faults.PendingFailures);

        cluster.Api.Faults.FailNextRequests(5, 409, IsWrite);
        await AssertRunSucceedsAsync(cluster, vm);
        Assert.Equal(0, cluster.Api.Faults.PendingFailures);

        // Watches are open again (the operator re-watched rather than falling back to polling).
        await cluster.PollAsync("re-opened watches", TimeSpan.FromSeconds(30), () => Task.FromResult(cluster.Api.OpenWatches > 0 ? "open" : null));
        Assert.DoesNotContain(cluster.Operators, o => o.HasExited);
    }

    private static async Task AssertRunSucceedsAsync(OperatorCluster cluster, GuestVm vm)
    {
        var run = await cluster.RunNowAsync("faults", domains: 1);
        var backup = (await cluster.WaitBackupsCompleteAsync(run.Values)).Single();
        Assert.Equal("Succeeded", backup["status"]!["phase"]?.GetValue<string>());
        Assert.Contains(backup["status"]!["restorePoint"]!.GetValue<string>(), await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
    }
}
