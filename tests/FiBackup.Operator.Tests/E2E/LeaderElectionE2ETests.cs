using System.Diagnostics;
using System.Text.Json.Nodes;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>Two replicas with --leader-elect: one acts, the other waits for the Lease and takes over when the holder dies.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class LeaderElectionE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Two_operators_only_the_leader_acts_and_the_other_takes_over_after_the_leader_is_killed()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        await vm.WriteAsync("vda", 0, MiB, 0x51);
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var a = cluster.StartOperator($"fibt-replica-a-{suffix}", leaderElect: true);
        var b = cluster.StartOperator($"fibt-replica-b-{suffix}", leaderElect: true);
        var identities = new[] { a.Identity, b.Identity };

        var (leaseName, holder) = await cluster.PollAsync("a leader Lease held by one of the replicas", TimeSpan.FromSeconds(30), async () =>
            await LeaderLeaseAsync(cluster, identities) is { } lease ? Tuple.Create(lease.Name, lease.Holder) : null);
        var leader = holder == a.Identity ? a : b;
        var follower = leader == a ? b : a;
        output.WriteLine($"Lease {leaseName} is held by {leader.Identity}");
        Assert.Equal("fibackup-operator", leaseName);

        await cluster.ApplyAsync(Policies.For("ha", [vm.Name], runNow: "first"));
        var firstBackup = await cluster.FirstBackupOfAsync("ha");
        await cluster.WaitBackupsCompleteAsync([firstBackup]);

        // Only the leader acted: the follower's identity is on no Event, and it never logged the backup.
        var events = JsonNode.Parse((await cluster.KubectlOkAsync("get", "events", "-n", OperatorCluster.Namespace, "-o", "json")).StdOut)!["items"]!.AsArray();
        Assert.DoesNotContain(events, e => e!.ToJsonString().Contains(follower.Identity, StringComparison.Ordinal));
        // Events name the reporting instance; the backup's are all the leader's. The logs agree:
        // controllers start only for the holder of the Lease.
        var aboutBackup = events.Where(e => e!["involvedObject"]?["name"]?.GetValue<string>() == firstBackup).ToList();
        Assert.NotEmpty(aboutBackup);
        Assert.All(aboutBackup, e => Assert.Equal(leader.Identity, e!["reportingInstance"]?.GetValue<string>()));
        Assert.Contains("Controller vmbackup started", leader.Log);
        Assert.DoesNotContain("Controller vmbackup started", follower.Log);
        Assert.DoesNotContain(firstBackup, follower.Log);
        Assert.Equal(leader.Identity, (await LeaderLeaseAsync(cluster, identities))?.Holder);

        await leader.KillAsync();
        var killed = Stopwatch.StartNew();
        await cluster.PollAsync($"{follower.Identity} holding Lease {leaseName}", TimeSpan.FromSeconds(30), async () =>
            (await LeaderLeaseAsync(cluster, identities))?.Holder == follower.Identity ? "taken over" : null);
        output.WriteLine($"{follower.Identity} took Lease {leaseName} over {killed.Elapsed.TotalSeconds:0.0} s after the SIGKILL");
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(25), $"the takeover took {killed.Elapsed}");
        await cluster.PollAsync($"{follower.Identity}'s controllers", TimeSpan.FromSeconds(15), () =>
            Task.FromResult(follower.Log.Contains("Controller vmbackup started", StringComparison.Ordinal) ? "started" : null));

        await vm.WriteAsync("vdb", 2 * MiB, MiB, 0x52);
        var second = await cluster.RunNowAsync("ha", domains: 1);
        var backup = (await cluster.WaitBackupsCompleteAsync(second.Values)).Single();
        Assert.Equal("Succeeded", backup["status"]!["phase"]?.GetValue<string>());
        Assert.Equal("Incremental", backup["status"]!["type"]?.GetValue<string>());
        Assert.False(follower.HasExited);
    }

    /// <summary>The leader-election Lease: held by one of the replicas, and not a per-domain lock (those carry fibackup.io/domain).</summary>
    private static async Task<(string Name, string Holder)?> LeaderLeaseAsync(OperatorCluster cluster, string[] identities)
    {
        foreach (var lease in await cluster.ListAsync("leases.coordination.k8s.io"))
        {
            if (lease["metadata"]?["annotations"]?["fibackup.io/domain"] is not null) continue;
            var holder = lease["spec"]?["holderIdentity"]?.GetValue<string>();
            if (holder is not null && identities.Contains(holder)) return (OperatorCluster.Name(lease), holder);
        }
        return null;
    }
}
