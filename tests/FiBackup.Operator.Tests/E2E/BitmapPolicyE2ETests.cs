using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// A VmBackupPolicy with `technique: Bitmap`: the operator takes its points with libvirt's backup
/// API, the VmBackups say so, the domain's disks stay on their own images, and a point restores
/// byte-exact.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class BitmapPolicyE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_bitmap_policy_backs_up_without_touching_the_live_chain_and_its_points_restore_byte_exact()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var web = await GuestVm.CreateAsync(libvirt);
        var disksBefore = ActiveImages(web);
        await web.WriteAsync("vda", 0, 2 * MiB, 0x41);
        await web.WriteAsync("vdb", 3 * MiB, MiB, 0x42);
        cluster.StartOperator();

        var policy = Policies.For("bitmap", [web.Name], runNow: "first");
        policy.Spec()["technique"] = "Bitmap";
        await cluster.ApplyAsync(policy);
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), "vmbackuppolicy/bitmap");
        var first = await cluster.FirstBackupOfAsync("bitmap");
        var full = Assert.Single(await cluster.WaitBackupsCompleteAsync([first]));
        Assert.Equal("Succeeded", full["status"]!["phase"]?.GetValue<string>());
        Assert.Equal("Full", full["status"]!["type"]?.GetValue<string>());
        Assert.Equal("Bitmap", full["status"]!["technique"]?.GetValue<string>());
        web.Freeze(first);

        await web.WriteAsync("vda", MiB, 2 * MiB, 0x43);
        await web.WriteAsync("vdb", 9 * MiB, MiB / 2, 0x44);
        var second = (await cluster.RunNowAsync("bitmap", domains: 1))[web.Name];
        var incremental = Assert.Single(await cluster.WaitBackupsCompleteAsync([second]));
        Assert.Equal("Succeeded", incremental["status"]!["phase"]?.GetValue<string>());
        Assert.Equal("Incremental", incremental["status"]!["type"]?.GetValue<string>());
        Assert.Equal("Bitmap", incremental["status"]!["technique"]?.GetValue<string>());
        web.Freeze(second);

        // No snapshot was taken: every disk still runs on the image it ran on before.
        Assert.Equal(disksBefore, ActiveImages(web));
        var wide = (await cluster.KubectlOkAsync("get", "vmbackups", "-n", OperatorCluster.Namespace, "-o", "wide")).StdOut;
        Assert.Matches(@"^NAME\s+DOMAIN\s+TYPE\s+PHASE\s+STEP\s+PROGRESS\s+SIZE\s+POINT\s+AGE\s+CHAIN\s+POLICY\s+TECHNIQUE", wide.Split('\n')[0]);
        Assert.Matches(@"\sbitmap\s+Bitmap\s*$", wide.Split('\n').Single(l => l.StartsWith(second + " ", StringComparison.Ordinal)));

        await web.AssertRestoresExactlyAsync(cluster, first);
        await web.AssertRestoresExactlyAsync(cluster, second);
    }

    private static List<string?> ActiveImages(GuestVm vm) =>
        FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(vm.Domain.Domain.GetXml(FiBackup.Libvirt.DomainXmlFlags.None))
            .Select(d => d.ActivePath).ToList();
}
