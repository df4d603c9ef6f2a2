using System.Text.Json.Nodes;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>One operator and one (shut-off) domain that every invalid policy of the class would otherwise back up.</summary>
public sealed class InvalidSpecCluster(LibvirtFixture libvirt) : IAsyncLifetime
{
    private OperatorCluster? cluster;
    private TestDomain? domain;

    public OperatorCluster Cluster => cluster ?? throw new InvalidOperationException("the fixture is not initialized");
    public string DomainName => domain?.Name ?? throw new InvalidOperationException("the fixture is not initialized");

    public async Task InitializeAsync()
    {
        domain = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 16L << 20, start: false);
        cluster = await OperatorCluster.StartAsync(output: null);
        cluster.StartOperator();
    }

    public async Task DisposeAsync()
    {
        if (cluster is not null) await cluster.DisposeAsync();
        if (domain is not null) await domain.DisposeAsync();
    }
}

/// <summary>
/// A policy the operator cannot act on says why: Ready=False with a message naming the field, a
/// Warning Event on the policy, and no VmBackup — even with fibackup.io/run-now set. What the CRD
/// schema already refuses, kubectl refuses naming the field.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class InvalidSpecE2ETests(InvalidSpecCluster shared) : IClassFixture<InvalidSpecCluster>
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "bad-cron", "spec.schedule", """{"schedule": "61 * * * *"}""" },
        { "bad-zone", "spec.timeZone", """{"timeZone": "Mars/Olympus_Mons"}""" },
        { "bad-uri", "spec.source.libvirt.uri", """{"source": {"libvirt": {"uri": "http://hv1.example/system"}}}""" },
        { "missing-pvc", "spec.destination.persistentVolumeClaim.claimName", """{"destination": {"persistentVolumeClaim": {"claimName": "no-such-claim"}}}""" },
        { "unknown-domain", "spec.domains", """{"domains": {"names": ["fibt-no-such-domain"]}}""" },
        { "dotdot-subpath", "spec.destination.persistentVolumeClaim.subPath", """{"destination": {"persistentVolumeClaim": {"claimName": "vm-backups", "subPath": "../escape"}}}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invalid_specs_end_in_a_condition_naming_the_field_and_an_event_and_no_backup_runs(string policy, string field, string specPatch)
    {
        var cluster = shared.Cluster;
        var manifest = Policies.For(policy, [shared.DomainName], runNow: "now");
        foreach (var (key, value) in JsonNode.Parse(specPatch)!.AsObject().ToList())
            manifest.Spec()[key] = value!.DeepClone();

        var applied = await cluster.TryApplyAsync(manifest);
        if (applied.ExitCode != 0)
        {
            // The CRD's schema refused it before the operator saw it: kubectl must name the field.
            Assert.Contains(field, applied.StdErr);
            Assert.Null(await cluster.GetAsync("vmbackuppolicy", policy));
            return;
        }

        await cluster.WaitAsync("condition=Ready=False", TimeSpan.FromSeconds(60), $"vmbackuppolicy/{policy}");
        var ready = (await cluster.GetRequiredAsync("vmbackuppolicy", policy))["status"]!["conditions"]!.AsArray()
            .Single(c => c!["type"]!.GetValue<string>() == "Ready")!;
        Assert.Contains(field, ready["message"]!.GetValue<string>());
        var health = await ArgoCdHealth.AssertAsync(cluster, "vmbackuppolicy", policy, "Degraded", saveAs: policy);
        Assert.Contains(field, health.Message);

        var events = await cluster.PollAsync($"a Warning Event about {policy}", TimeSpan.FromSeconds(30), async () =>
        {
            var result = await cluster.KubectlOkAsync("get", "events", "-n", OperatorCluster.Namespace,
                "--field-selector", $"involvedObject.name={policy}", "-o", "json");
            var items = JsonNode.Parse(result.StdOut)!["items"]!.AsArray();
            return items.Any(e => e!["type"]?.GetValue<string>() == "Warning") ? items : null;
        });
        var warning = events.First(e => e!["type"]?.GetValue<string>() == "Warning")!;
        Assert.Equal("VmBackupPolicy", warning["involvedObject"]!["kind"]!.GetValue<string>());
        Assert.Contains(field, warning["message"]!.GetValue<string>());

        Assert.Empty(await cluster.BackupsOfAsync(policy));
        Assert.DoesNotContain(cluster.Operators, o => o.HasExited);
    }

    [Fact]
    public async Task A_backup_of_a_domain_the_host_lacks_fails_and_a_restore_of_a_missing_backup_waits_as_Argo_CD_shows_them()
    {
        var cluster = shared.Cluster;
        await cluster.ApplyAsync(Policies.For("valid", [shared.DomainName]));
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), "vmbackuppolicy/valid");
        await cluster.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "fibackup.io/v1alpha1",
            ["kind"] = "VmBackup",
            ["metadata"] = new JsonObject { ["name"] = "no-such-domain", ["namespace"] = OperatorCluster.Namespace },
            ["spec"] = new JsonObject { ["policyRef"] = new JsonObject { ["name"] = "valid" }, ["domain"] = "fibt-no-such-domain" },
        });
        await cluster.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "fibackup.io/v1alpha1",
            ["kind"] = "VmRestore",
            ["metadata"] = new JsonObject { ["name"] = "of-a-missing-backup", ["namespace"] = OperatorCluster.Namespace },
            ["spec"] = new JsonObject
            {
                ["backupRef"] = new JsonObject { ["name"] = "no-such-backup" },
                ["target"] = new JsonObject { ["domain"] = "fibt-restored", ["directory"] = "/tmp/fibt-restored" },
            },
        });

        await cluster.WaitAsync("condition=Failed", TimeSpan.FromSeconds(90), "vmbackup/no-such-domain");
        var failed = await ArgoCdHealth.AssertAsync(cluster, "vmbackup", "no-such-domain", "Degraded", saveAs: "domain-not-found");
        Assert.Contains("fibt-no-such-domain", failed.Message);

        await cluster.WaitAsync("condition=Progressing", TimeSpan.FromSeconds(60), "vmrestore/of-a-missing-backup");
        var waiting = await ArgoCdHealth.AssertAsync(cluster, "vmrestore", "of-a-missing-backup", "Progressing", saveAs: "backup-not-found");
        Assert.Contains("BackupNotFound", waiting.Message);
    }
}
