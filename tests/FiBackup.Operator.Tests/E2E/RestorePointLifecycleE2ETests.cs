using System.Text.Json.Nodes;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// VmBackups stand for restore points: retention, `kubectl delete`, deleting the policy and a
/// rebuilt cluster keep objects and repository in step, and what is left stays restorable.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class RestorePointLifecycleE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    /// <summary>A started cluster, an operator and one VM with data on both disks.</summary>
    private async Task<(OperatorCluster Cluster, GuestVm Vm)> ArrangeAsync()
    {
        var cluster = await OperatorCluster.StartAsync(output);
        try
        {
            var vm = await GuestVm.CreateAsync(libvirt);
            cluster.StartOperator();
            return (cluster, vm);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a distinct pattern on both disks, runs the policy once, and freezes the expectation; the VmBackup's name and point.</summary>
    private static async Task<(string Backup, string Point)> WriteAndBackUpAsync(OperatorCluster cluster, GuestVm vm, string policy, int round)
    {
        var pattern = (byte)(0x10 * round + 1);
        await vm.WriteAsync("vda", round * MiB, 2 * MiB, pattern);              // overlaps the previous round
        await vm.WriteAsync("vdb", (12 - round) * MiB, MiB / 2, (byte)(pattern + 1));
        var run = await cluster.RunNowAsync(policy, domains: 1);
        var backup = (await cluster.WaitBackupsCompleteAsync(run.Values)).Single();
        var point = backup["status"]!["restorePoint"]!.GetValue<string>();
        vm.Freeze(OperatorCluster.Name(backup), point);
        return (OperatorCluster.Name(backup), point);
    }

    private static async Task ApplyPolicyAsync(OperatorCluster cluster, GuestVm vm, string name, Action<JsonObject>? change = null)
    {
        var policy = Policies.For(name, [vm.Name]);
        change?.Invoke(policy.Spec());
        await cluster.ApplyAsync(policy);
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), $"vmbackuppolicy/{name}");
    }

    [Fact]
    public async Task Retention_keeps_the_newest_points_and_deletes_the_vmbackups_of_dropped_ones()
    {
        var (cluster, vm) = await ArrangeAsync();
        await using var _ = cluster;
        await using var __ = vm;
        await ApplyPolicyAsync(cluster, vm, "keep2", spec => spec["retention"] = new JsonObject { ["keepLast"] = 2 });

        var runs = new List<(string Backup, string Point)>();
        for (var round = 0; round < 3; round++) runs.Add(await WriteAndBackUpAsync(cluster, vm, "keep2", round));

        await cluster.PollAsync("retention to leave 2 VmBackups", TimeSpan.FromSeconds(60), async () =>
            (await cluster.BackupsOfAsync("keep2")).Count == 2 ? "2" : null);
        Assert.Equal(runs.Skip(1).Select(r => r.Backup).Order(), (await cluster.BackupsOfAsync("keep2")).Select(OperatorCluster.Name).Order());
        Assert.Equal(runs.Skip(1).Select(r => r.Point), await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
        Assert.Null(await cluster.GetAsync("vmbackup", runs[0].Backup));
        foreach (var (backup, _) in runs.Skip(1)) await vm.AssertRestoresExactlyAsync(cluster, backup);
    }

    [Fact]
    public async Task Deleting_a_vmbackup_drops_its_point_and_keeps_the_others_restorable()
    {
        var (cluster, vm) = await ArrangeAsync();
        await using var _ = cluster;
        await using var __ = vm;
        await ApplyPolicyAsync(cluster, vm, "daily");
        var runs = new List<(string Backup, string Point)>();
        for (var round = 0; round < 3; round++) runs.Add(await WriteAndBackUpAsync(cluster, vm, "daily", round));

        // kubectl waits for the finalizer: when it returns, the point is gone.
        await cluster.KubectlOkAsync("delete", "vmbackup", runs[1].Backup, "-n", OperatorCluster.Namespace, "--timeout=120s");

        Assert.Equal([runs[0].Point, runs[2].Point], await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
        Assert.Equal([runs[0].Backup, runs[2].Backup], (await cluster.BackupsOfAsync("daily")).Select(OperatorCluster.Name).Order());
        await vm.AssertRestoresExactlyAsync(cluster, runs[0].Backup);
        await vm.AssertRestoresExactlyAsync(cluster, runs[2].Backup);
    }

    [Fact]
    public async Task Deleting_a_policy_with_retain_keeps_backups_and_data()
    {
        var (cluster, vm) = await ArrangeAsync();
        await using var _ = cluster;
        await using var __ = vm;
        await ApplyPolicyAsync(cluster, vm, "retained", spec => spec["deletionPolicy"] = "Retain");
        var (backup, point) = await WriteAndBackUpAsync(cluster, vm, "retained", 0);
        Assert.NotNull((await cluster.GetRequiredAsync("vmbackup", backup))["metadata"]!["ownerReferences"]);

        await cluster.KubectlOkAsync("delete", "vmbackuppolicy", "retained", "-n", OperatorCluster.Namespace, "--timeout=60s");

        var kept = await cluster.GetRequiredAsync("vmbackup", backup);
        Assert.True(kept["metadata"]!["ownerReferences"] is null or JsonArray { Count: 0 }, $"{backup} still has owners: {kept["metadata"]!.ToJsonString()}");
        Assert.Equal("Succeeded", kept["status"]!["phase"]?.GetValue<string>());
        Assert.Equal([point], await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
        // Its status is self-contained: it restores without the policy.
        await vm.AssertRestoresExactlyAsync(cluster, backup);
    }

    [Fact]
    public async Task Deleting_a_policy_with_delete_removes_both()
    {
        var (cluster, vm) = await ArrangeAsync();
        await using var _ = cluster;
        await using var __ = vm;
        await ApplyPolicyAsync(cluster, vm, "scratch", spec => spec["deletionPolicy"] = "Delete");
        var (backup, _) = await WriteAndBackUpAsync(cluster, vm, "scratch", 0);
        var (second, _) = await WriteAndBackUpAsync(cluster, vm, "scratch", 1);

        await cluster.KubectlOkAsync("delete", "vmbackuppolicy", "scratch", "-n", OperatorCluster.Namespace, "--timeout=120s");
        await cluster.WaitAsync("delete", TimeSpan.FromSeconds(60), $"vmbackup/{backup}", $"vmbackup/{second}");

        Assert.Empty(await cluster.BackupsOfAsync("scratch"));
        var domainDirectories = Directory.GetDirectories(cluster.ClaimDirectory, vm.Name, SearchOption.AllDirectories);
        if (domainDirectories.Length > 0)
            Assert.Empty(await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
    }

    [Fact]
    public async Task Restore_points_without_a_vmbackup_are_synced_back()
    {
        var (cluster, vm) = await ArrangeAsync();
        await using var _ = cluster;
        await using var __ = vm;
        await ApplyPolicyAsync(cluster, vm, "rebuilt");
        var runs = new List<(string Backup, string Point)>();
        for (var round = 0; round < 2; round++) runs.Add(await WriteAndBackUpAsync(cluster, vm, "rebuilt", round));

        // The cluster loses every object while the repository keeps its points (a rebuilt cluster):
        // with no operator running, finalizers are removed by hand so nothing touches the data.
        Assert.True(await cluster.Operators[0].StopAsync(TimeSpan.FromSeconds(30)), "the operator did not stop on SIGTERM");
        foreach (var (backup, _) in runs) await DeleteWithoutFinalizersAsync(cluster, "vmbackup", backup);
        await DeleteWithoutFinalizersAsync(cluster, "vmbackuppolicy", "rebuilt");
        Assert.Equal(runs.Select(r => r.Point), await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));

        cluster.StartOperator();
        await ApplyPolicyAsync(cluster, vm, "rebuilt");
        var synced = await cluster.PollAsync("2 synced VmBackups", TimeSpan.FromSeconds(60), async () =>
        {
            var backups = await cluster.BackupsOfAsync("rebuilt");
            return backups.Count == 2 && backups.All(b => b["status"]?["phase"]?.GetValue<string>() == "Succeeded") ? backups : null;
        });
        foreach (var backup in synced)
        {
            Assert.NotNull(backup["metadata"]!["annotations"]?["fibackup.io/synced-from-repository"]);
            Assert.Equal(vm.Name, backup["spec"]!["domain"]!.GetValue<string>());
        }
        Assert.Equal(runs.Select(r => r.Point).Order(), synced.Select(b => b["status"]!["restorePoint"]!.GetValue<string>()).Order());

        var newest = synced.Single(b => b["status"]!["restorePoint"]!.GetValue<string>() == runs[1].Point);
        await vm.AssertRestoresExactlyAsync(cluster, OperatorCluster.Name(newest), expectedAs: runs[1].Point);
    }

    private static async Task DeleteWithoutFinalizersAsync(OperatorCluster cluster, string resource, string name)
    {
        await cluster.KubectlOkAsync("patch", resource, name, "-n", OperatorCluster.Namespace, "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        await cluster.KubectlOkAsync("delete", resource, name, "-n", OperatorCluster.Namespace, "--timeout=30s");
    }
}
