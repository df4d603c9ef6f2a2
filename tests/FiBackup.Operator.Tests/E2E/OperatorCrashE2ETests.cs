using System.Diagnostics;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>An operator killed with SIGKILL half-way through a copy leaves nothing a new one cannot finish.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class OperatorCrashE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Operator_killed_mid_copy_resumes_and_makes_exactly_one_point()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var vm = await GuestVm.CreateAsync(libvirt, diskBytes: 32 * MiB);
        // 32 MiB of data at 2 MiB/s: a copy of about 16 s, long enough to be caught in the middle.
        await vm.WriteAsync("vda", 0, 16 * MiB, 0x31);
        await vm.WriteAsync("vdb", 8 * MiB, 16 * MiB, 0x32);
        var first = cluster.StartOperator();
        var policy = Policies.For("slow", [vm.Name], runNow: "now");
        policy.Spec()["bandwidthLimit"] = "2Mi";
        await cluster.ApplyAsync(policy);
        var backup = await cluster.FirstBackupOfAsync("slow");

        await cluster.WaitAsync("jsonpath={.status.step}=Copying", TimeSpan.FromSeconds(60), $"vmbackup/{backup}");
        await first.KillAsync();
        var killedAt = Stopwatch.StartNew();
        var copying = await cluster.GetRequiredAsync("vmbackup", backup);
        Assert.NotEqual("Succeeded", copying["status"]!["phase"]?.GetValue<string>());
        cluster.StartOperator();

        var done = (await cluster.WaitBackupsCompleteAsync([backup])).Single();
        output.WriteLine($"the second operator completed {backup} {killedAt.Elapsed.TotalSeconds:0} s after the kill: {done["status"]!.ToJsonString()}");
        Assert.Equal("Succeeded", done["status"]!["phase"]?.GetValue<string>());
        vm.Freeze(backup);

        // Exactly one point, the one the VmBackup names, and one VmBackup.
        var points = await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name);
        Assert.Equal([done["status"]!["restorePoint"]!.GetValue<string>()], points);
        Assert.Single(await cluster.BackupsOfAsync("slow"));

        // The live chain still opens from the active image down, and the guest still reads what it wrote.
        await HostTool.RunAsync("virsh", "-c", LibvirtFixture.Uri, "domblklist", vm.Name);
        foreach (var disk in vm.Domain.Disks)
            await HostTool.RunAsync("qemu-img", "info", "-U", "--backing-chain", vm.Domain.LiveChain(disk.Target)[0]);
        await vm.Domain.AssertGuestPatternAsync("vda", 0, 16 * MiB, 0x31);
        await vm.Domain.AssertGuestPatternAsync("vdb", 8 * MiB, 16 * MiB, 0x32);

        await vm.AssertRestoresExactlyAsync(cluster, backup);
    }
}
