using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// The product as a user drives it: a VmBackupPolicy applied with kubectl, `fibackup operator`
/// running beside a real libvirtd, backups and a restore watched with `kubectl wait`.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class PolicyBackupRestoreE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Policy_backs_up_two_domains_and_a_restore_gives_the_older_point_byte_exact()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var web = await GuestVm.CreateAsync(libvirt);
        await using var db = await GuestVm.CreateAsync(libvirt);
        await web.WriteAsync("vda", 0, 2 * MiB, 0x11);
        await web.WriteAsync("vdb", 5 * MiB, MiB, 0x12);
        await db.WriteAsync("vda", 3 * MiB, MiB, 0x21);
        await db.WriteAsync("vdb", 0, MiB / 2, 0x22);
        cluster.StartOperator();

        await cluster.ApplyAsync(Policies.For("nightly", [web.Name, db.Name], runNow: "first"));
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), "vmbackuppolicy/nightly");
        var first = await cluster.PollAsync("the first run's two VmBackups", TimeSpan.FromSeconds(60), async () =>
        {
            var backups = await cluster.BackupsOfAsync("nightly");
            return backups.Count == 2 ? backups.ToDictionary(b => b["spec"]!["domain"]!.GetValue<string>(), OperatorCluster.Name) : null;
        });
        // A VmBackup just made is Progressing (or already Healthy on a fast machine) for Argo CD.
        await ArgoCdHealth.AssertAnyAsync(cluster, "vmbackup", first[web.Name], ["Progressing", "Healthy"], saveAs: "just-created");
        var firstObjects = await cluster.WaitBackupsCompleteAsync(first.Values);
        await ArgoCdHealth.AssertAsync(cluster, "vmbackup", first[web.Name], "Healthy", saveAs: "succeeded-full");
        web.Freeze(first[web.Name]);
        db.Freeze(first[db.Name]);
        foreach (var backup in firstObjects)
        {
            var status = backup["status"]!;
            Assert.Equal("Succeeded", status["phase"]?.GetValue<string>());
            Assert.Equal("Full", status["type"]?.GetValue<string>());
            Assert.Matches(@"^\d{8}T\d{6}Z$", status["restorePoint"]?.GetValue<string>());
            Assert.Equal(OperatorCluster.Claim, status["repository"]?["claimName"]?.GetValue<string>());
            Assert.Equal(backup["spec"]!["domain"]!.GetValue<string>(), status["repository"]?["domain"]?.GetValue<string>());
            Assert.Equal(LibvirtFixture.Uri, status["repository"]?["libvirtUri"]?.GetValue<string>());
        }
        Assert.Matches(@"^nightly-fibt-[0-9a-f]{10}-\d{8}t\d{6}z$", first[web.Name]);

        // What a user sees: `kubectl get vmbackups` rows, Succeeded, with a Size and 100%.
        var table = (await cluster.KubectlOkAsync("get", "vmbackups", "-n", OperatorCluster.Namespace)).StdOut;
        var header = table.Split('\n')[0];
        Assert.Matches(@"^NAME\s+DOMAIN\s+TYPE\s+PHASE\s+STEP\s+PROGRESS\s+SIZE\s+POINT\s+AGE", header);
        foreach (var name in first.Values)
        {
            var row = table.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            // NAME DOMAIN TYPE PHASE STEP PROGRESS SIZE POINT AGE; an empty Step shows as <none>.
            var size = Assert.Single(System.Text.RegularExpressions.Regex.Matches(row, @"\sFull\s+Succeeded\s+(?:\S+\s+)?100%\s+(\S+(?: \S+)?)\s+\d{8}T\d{6}Z\s")).Groups[1].Value;
            Assert.NotEqual("<none>", size);
        }

        await web.WriteAsync("vda", MiB, 2 * MiB, 0x13);     // overlaps the first write
        await db.WriteAsync("vdb", 8 * MiB, MiB, 0x23);
        var second = await cluster.RunNowAsync("nightly", domains: 2);
        foreach (var backup in await cluster.WaitBackupsCompleteAsync(second.Values))
        {
            Assert.Equal("Succeeded", backup["status"]!["phase"]?.GetValue<string>());
            Assert.Equal("Incremental", backup["status"]!["type"]?.GetValue<string>());
        }
        web.Freeze(second[web.Name]);
        db.Freeze(second[db.Name]);
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(30), "vmbackuppolicy/nightly");
        await ArgoCdHealth.AssertAsync(cluster, "vmbackup", second[web.Name], "Healthy", saveAs: "succeeded-incremental");
        await ArgoCdHealth.AssertAsync(cluster, "vmbackuppolicy", "nightly", "Healthy", saveAs: "ready");

        // Suspended: Argo CD shows a suspended policy as Suspended, not Healthy.
        await cluster.KubectlOkAsync("patch", "vmbackuppolicy", "nightly", "-n", OperatorCluster.Namespace, "--type=merge", "-p", """{"spec":{"suspend":true}}""");
        await cluster.PollAsync("the suspended policy observed", TimeSpan.FromSeconds(30), async () =>
        {
            var policy = await cluster.GetRequiredAsync("vmbackuppolicy", "nightly");
            return policy["status"]?["observedGeneration"]?.GetValue<long>() == policy["metadata"]!["generation"]!.GetValue<long>() ? policy : null;
        });
        await ArgoCdHealth.AssertAsync(cluster, "vmbackuppolicy", "nightly", "Suspended", saveAs: "suspended");
        await cluster.KubectlOkAsync("patch", "vmbackuppolicy", "nightly", "-n", OperatorCluster.Namespace, "--type=merge", "-p", """{"spec":{"suspend":false}}""");

        // The older point, after the guest overwrote part of it.
        await web.AssertRestoresExactlyAsync(cluster, first[web.Name]);
        await db.AssertRestoresExactlyAsync(cluster, second[db.Name]);
    }
}
