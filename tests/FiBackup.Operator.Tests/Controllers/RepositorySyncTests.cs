using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Controllers.Policies;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Runtime;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class RepositorySyncTests
{
    private const string Ns = "ops";

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeCluster cluster;
    private readonly FakeBackupEngine engine = new("hv1", "web-1", "web-2");
    private readonly VmBackupPolicy policy;
    private readonly PolicySettings settings = new("/repo", new SourceInventory("hv1", ["web-1", "web-2"]), new SelectedDomains(["web-1", "web-2"], []));

    public RepositorySyncTests()
    {
        cluster = new FakeCluster(time);
        policy = cluster.Put(new VmBackupPolicy
        {
            Metadata = new V1ObjectMeta { Name = "nightly", NamespaceProperty = Ns },
            Spec = new VmBackupPolicySpec
            {
                Source = new BackupSource { Libvirt = new LibvirtSource() },
                Domains = new DomainSelector { All = true },
                Schedule = "0 2 * * *",
                Destination = new BackupDestination { PersistentVolumeClaim = new ClaimDestination { ClaimName = "vm-backups" } },
            },
            Status = new VmBackupPolicyStatus(),
        });
    }

    private Task<int> SyncAsync() => new RepositorySync(cluster, engine).SyncAsync(policy, settings, CancellationToken.None);

    private VmBackup PutBackup(string name, string domain, OperationPhase? phase, string? restorePoint = null) =>
        cluster.Put(new VmBackup
        {
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = Ns,
                Labels = new Dictionary<string, string> { [VmBackup.PolicyLabel] = "nightly" },
            },
            Spec = new VmBackupSpec { PolicyRef = new LocalReference { Name = "nightly" }, Domain = domain },
            Status = phase is null ? null : new VmBackupStatus { Phase = phase, RestorePoint = restorePoint },
        });

    [Fact]
    public async Task Points_without_a_vmbackup_get_one_annotated_as_synced()
    {
        engine.AddPoint("web-1", "20261127T020000Z");
        engine.AddPoint("web-1", "20261128T020000Z", chain: "20261127T020000Z");

        var created = await SyncAsync();

        Assert.Equal(2, created);
        var backups = cluster.List<VmBackup>(Ns);
        Assert.Equal(
            [BackupNames.ForSyncedPoint("nightly", "web-1", "20261127T020000Z"), BackupNames.ForSyncedPoint("nightly", "web-1", "20261128T020000Z")],
            backups.Select(b => b.Name));
        Assert.Equal(["20261127T020000Z", "20261128T020000Z"], backups.Select(b => b.Metadata.Annotations[VmBackup.SyncedAnnotation]));
        Assert.All(backups, b => Assert.Equal(policy.Metadata.Uid, Assert.Single(b.Metadata.OwnerReferences).Uid));
        Assert.Contains(cluster.EventsOf("nightly"), e => e.Reason == "RestorePointsSynced");
    }

    [Fact]
    public async Task Synced_vmbackups_carry_none_of_the_policys_argo_cd_tracking_labels_or_annotations()
    {
        policy.Metadata.Labels = new Dictionary<string, string> { ["app.kubernetes.io/instance"] = "vm-backups" };
        policy.Metadata.Annotations = new Dictionary<string, string> { ["argocd.argoproj.io/tracking-id"] = "vm-backups:fibackup.io/VmBackupPolicy:vm-backups/nightly" };
        engine.AddPoint("web-1", "20261127T020000Z");

        Assert.Equal(1, await SyncAsync());

        var backup = Assert.Single(cluster.List<VmBackup>(Ns));
        Assert.DoesNotContain("app.kubernetes.io/instance", backup.Metadata.Labels?.Keys ?? []);
        Assert.Equal([VmBackup.SyncedAnnotation], backup.Metadata.Annotations.Keys);
    }

    [Fact]
    public async Task Synced_points_are_not_synced_a_second_time()
    {
        engine.AddPoint("web-1", "20261127T020000Z");
        await SyncAsync();

        var again = await SyncAsync();

        Assert.Equal(0, again);
        Assert.Single(cluster.List<VmBackup>(Ns));
    }

    [Fact]
    public async Task A_point_whose_idempotency_key_is_an_existing_vmbackups_uid_is_not_synced()
    {
        // The backup recorded its point but has not written its status yet.
        var backup = PutBackup("nightly-web-1-20261127t020000z", "web-1", OperationPhase.Succeeded);
        engine.AddPoint("web-1", "20261127T020000Z", idempotencyKey: backup.Metadata.Uid);

        var created = await SyncAsync();

        Assert.Equal(0, created);
        Assert.Equal([backup.Name], cluster.List<VmBackup>(Ns).Select(b => b.Name));
    }

    [Fact]
    public async Task A_point_named_in_a_vmbackups_status_is_not_synced()
    {
        PutBackup("nightly-web-1-20261127t020000z", "web-1", OperationPhase.Succeeded, restorePoint: "20261127T020000Z");
        engine.AddPoint("web-1", "20261127T020000Z", idempotencyKey: "a-uid-from-an-older-cluster");

        Assert.Equal(0, await SyncAsync());
    }

    [Fact]
    public async Task Nothing_of_a_domain_is_synced_while_a_backup_of_it_is_active()
    {
        PutBackup("nightly-web-1-20261129t100000z", "web-1", OperationPhase.Running);
        engine.AddPoint("web-1", "20261129T100000Z", idempotencyKey: "not-known-yet");
        engine.AddPoint("web-2", "20261129T020000Z");

        var created = await SyncAsync();

        Assert.Equal(1, created);
        var synced = cluster.List<VmBackup>(Ns).Where(b => b.IsSynced()).ToList();
        Assert.Equal("web-2", Assert.Single(synced).Spec.Domain);
    }

    [Fact]
    public async Task Points_of_another_host_in_the_same_repository_are_not_synced()
    {
        engine.Points[("hv2", "web-1")] = [FakeBackupEngine.Manifest("hv2", "web-1", "20261127T020000Z")];

        Assert.Equal(0, await SyncAsync());
        Assert.Empty(cluster.List<VmBackup>(Ns));
    }
}
