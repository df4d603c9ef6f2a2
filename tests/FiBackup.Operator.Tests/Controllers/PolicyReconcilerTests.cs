using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Controllers.Policies;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Runtime;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class PolicyReconcilerTests : IDisposable
{
    private const string Ns = "ops";
    private const string ClaimName = "vm-backups";
    private static readonly DateTime Created = new(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc);
    private static readonly ObjectKey Key = new(Ns, "nightly");

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeCluster cluster;
    private readonly FakeBackupEngine engine = new("hv1", "web-1", "web-2", "db-1");
    private readonly string claimsRoot = Directory.CreateTempSubdirectory("fibackup-claims-").FullName;
    private readonly PolicyReconciler reconciler;

    public PolicyReconcilerTests()
    {
        cluster = new FakeCluster(time);
        cluster.BoundClaim(Ns, ClaimName);
        Directory.CreateDirectory(Path.Combine(claimsRoot, Ns, ClaimName));
        reconciler = new PolicyReconciler(cluster, engine, new ClaimDirectories(claimsRoot), time);
    }

    public void Dispose() => Directory.Delete(claimsRoot, recursive: true);

    private static VmBackupPolicySpec Spec(string schedule = "0 2 * * *") => new()
    {
        Source = new BackupSource { Libvirt = new LibvirtSource { Uri = "qemu:///system" } },
        Domains = new DomainSelector { Names = ["web-1", "web-2"] },
        Schedule = schedule,
        Destination = new BackupDestination { PersistentVolumeClaim = new ClaimDestination { ClaimName = ClaimName } },
    };

    private VmBackupPolicy PutPolicy(VmBackupPolicySpec spec, string? runNow = null) => cluster.Put(new VmBackupPolicy
    {
        Metadata = new V1ObjectMeta
        {
            Name = Key.Name, NamespaceProperty = Ns, CreationTimestamp = Created,
            Annotations = runNow is null ? null : new Dictionary<string, string> { [VmBackupPolicy.RunNowAnnotation] = runNow },
        },
        Spec = spec,
    });

    private void SetRunNow(string value)
    {
        var policy = Policy();
        policy.Metadata.Annotations = new Dictionary<string, string> { [VmBackupPolicy.RunNowAnnotation] = value };
        cluster.Put(policy);
    }

    private VmBackupPolicy Policy() => cluster.Get<VmBackupPolicy>(Key)!;

    private VmBackupPolicyStatus Status() => Policy().Status!;

    private V1Condition Ready() => Conditions.Get(Status().Conditions, ConditionTypes.Ready)!;

    private Task<ReconcileResult> ReconcileAsync() => reconciler.ReconcileAsync(Key, CancellationToken.None);

    private List<VmBackup> Backups() => cluster.List<VmBackup>(Ns).ToList();

    private void SetPhase(string name, OperationPhase phase)
    {
        var backup = cluster.Get<VmBackup>(new ObjectKey(Ns, name))!;
        backup.Status = new VmBackupStatus { Phase = phase };
        cluster.Put(backup);
    }

    private static string RunName(string domain, DateTime slot) => BackupNames.ForRun("nightly", domain, slot);

    private static DateTime At(int hour, int minute = 0, int second = 0) => new(2026, 11, 27, hour, minute, second, DateTimeKind.Utc);

    [Fact]
    public async Task A_run_now_value_creates_one_vmbackup_per_selected_domain_with_the_deterministic_name_owner_and_finalizer()
    {
        var policy = PutPolicy(Spec(), runNow: "1");

        await ReconcileAsync();

        var backups = Backups();
        Assert.Equal([RunName("web-1", At(10)), RunName("web-2", At(10))], backups.Select(b => b.Name));
        foreach (var backup in backups)
        {
            var owner = Assert.Single(backup.Metadata.OwnerReferences);
            Assert.Equal(policy.Metadata.Uid, owner.Uid);
            Assert.Equal(VmBackupPolicy.KindName, owner.Kind);
            Assert.True(owner.Controller);
            Assert.Contains(VmBackup.Finalizer, backup.Metadata.Finalizers);
            Assert.Equal("nightly", backup.Spec.PolicyRef?.Name);
            Assert.Equal("nightly", backup.Metadata.Labels[VmBackup.PolicyLabel]);
        }
        Assert.Equal(["web-1", "web-2"], backups.Select(b => b.Spec.Domain));
        Assert.Equal("1", Status().LastRunNow);
        Assert.Equal(Conditions.True, Ready().Status);
    }

    [Fact]
    public async Task Vmbackups_of_a_run_carry_none_of_the_policys_argo_cd_tracking_labels_or_annotations()
    {
        // Argo CD tracks what it applied by this label or annotation; a copy on the VmBackups would make
        // Argo CD think it owns them, show them out of sync, and prune them.
        PutPolicy(Spec(), runNow: "1");
        var policy = Policy();
        policy.Metadata.Labels = new Dictionary<string, string> { ["app.kubernetes.io/instance"] = "vm-backups", ["team"] = "storage" };
        policy.Metadata.Annotations!["argocd.argoproj.io/tracking-id"] = "vm-backups:fibackup.io/VmBackupPolicy:vm-backups/nightly";
        policy.Metadata.Annotations["kubectl.kubernetes.io/last-applied-configuration"] = "{}";
        cluster.Put(policy);

        await ReconcileAsync();

        var backups = Backups();
        Assert.Equal(2, backups.Count);
        foreach (var backup in backups)
        {
            Assert.Equal([VmBackup.DomainLabel, VmBackup.PolicyLabel], backup.Metadata.Labels.Keys.Order(StringComparer.Ordinal));
            Assert.Null(backup.Metadata.Annotations);
        }
    }

    [Fact]
    public async Task The_same_run_now_value_again_creates_nothing()
    {
        PutPolicy(Spec(), runNow: "1");
        await ReconcileAsync();
        var created = cluster.Creates.Count;

        time.Advance(TimeSpan.FromMinutes(1));
        await ReconcileAsync();

        Assert.Equal(created, cluster.Creates.Count);
        Assert.Equal(2, Backups().Count);
    }

    [Fact]
    public async Task A_new_run_now_value_creates_the_next_run()
    {
        PutPolicy(Spec(), runNow: "1");
        await ReconcileAsync();
        foreach (var backup in Backups()) SetPhase(backup.Name, OperationPhase.Succeeded);

        time.Advance(TimeSpan.FromMinutes(1));
        SetRunNow("2");
        await ReconcileAsync();

        Assert.Equal(
            [RunName("web-1", At(10)), RunName("web-1", At(10, 1)), RunName("web-2", At(10)), RunName("web-2", At(10, 1))],
            Backups().Select(b => b.Name));
        Assert.Equal("2", Status().LastRunNow);
    }

    [Fact]
    public async Task A_second_run_now_within_the_same_second_gets_a_slot_and_names_of_its_own()
    {
        PutPolicy(Spec(), runNow: "1");
        await ReconcileAsync();
        foreach (var backup in Backups()) SetPhase(backup.Name, OperationPhase.Succeeded);

        SetRunNow("2");
        await ReconcileAsync();

        Assert.Equal(4, Backups().Count());
        Assert.Equal(4, Backups().Select(b => b.Name).Distinct().Count());
        Assert.Equal("2", Status().LastRunNow);
    }

    [Fact]
    public async Task A_domain_whose_previous_backup_is_running_is_skipped_and_counted()
    {
        PutPolicy(Spec(), runNow: "1");
        await ReconcileAsync();
        SetPhase(RunName("web-1", At(10)), OperationPhase.Running);
        SetPhase(RunName("web-2", At(10)), OperationPhase.Succeeded);

        time.Advance(TimeSpan.FromMinutes(1));
        SetRunNow("2");
        await ReconcileAsync();

        var names = Backups().Select(b => b.Name).ToList();
        Assert.DoesNotContain(RunName("web-1", At(10, 1)), names);
        Assert.Contains(RunName("web-2", At(10, 1)), names);
        var domains = Status().Domains;
        Assert.Equal(1, domains.Single(d => d.Name == "web-1").SkippedRuns);
        Assert.Equal(0, domains.Single(d => d.Name == "web-2").SkippedRuns);
        Assert.Contains(cluster.EventsOf("nightly"), e => e is { Type: "Warning", Reason: "RunSkipped" } && e.Message.Contains("web-1"));
    }

    [Fact]
    public async Task An_invalid_schedule_makes_the_policy_not_ready_naming_spec_schedule_with_one_warning_and_no_backup()
    {
        PutPolicy(Spec("not a cron"), runNow: "1");

        await ReconcileAsync();
        time.Advance(TimeSpan.FromMinutes(1));
        await ReconcileAsync();

        var ready = Ready();
        Assert.Equal(Conditions.False, ready.Status);
        Assert.Equal(OperatorReason.InvalidSpec, ready.Reason);
        Assert.Contains("spec.schedule", ready.Message);
        var warning = Assert.Single(cluster.EventsOf("nightly"), e => e.Type == "Warning");
        Assert.Equal(OperatorReason.InvalidSpec, warning.Reason);
        Assert.Empty(Backups());
        Assert.Null(Status().NextScheduleTime);
    }

    [Fact]
    public async Task A_missing_claim_makes_the_policy_not_ready_naming_the_claim_field()
    {
        cluster.Claims.Clear();
        PutPolicy(Spec(), runNow: "1");

        var result = await ReconcileAsync();

        var ready = Ready();
        Assert.Equal(Conditions.False, ready.Status);
        Assert.Equal(OperatorReason.ClaimNotFound, ready.Reason);
        Assert.StartsWith("spec.destination.persistentVolumeClaim.claimName: ", ready.Message);
        Assert.Contains($"\"{ClaimName}\"", ready.Message);
        Assert.Contains(cluster.EventsOf("nightly"), e => e is { Type: "Warning", Reason: OperatorReason.ClaimNotFound });
        Assert.Empty(Backups());
        Assert.NotNull(result.RequeueDelay);
    }

    [Fact]
    public async Task Named_domains_the_source_lacks_make_the_policy_not_ready_naming_them()
    {
        PutPolicy(Spec() with { Domains = new DomainSelector { Names = ["web-1", "gone"] } }, runNow: "1");

        await ReconcileAsync();

        var ready = Ready();
        Assert.Equal(Conditions.False, ready.Status);
        Assert.Equal("DomainNotFound", ready.Reason);
        Assert.StartsWith("spec.domains.names: ", ready.Message);
        Assert.Contains("\"gone\"", ready.Message);
        Assert.Empty(Backups());
    }

    [Fact]
    public async Task A_suspended_policy_makes_no_scheduled_run_and_has_no_next_schedule_time()
    {
        PutPolicy(Spec("0 10 * * *") with { Suspend = true });
        time.SetUtcNow(At(10, 0, 5));

        await ReconcileAsync();

        Assert.Empty(Backups());
        Assert.Null(Status().NextScheduleTime);
        Assert.Null(Status().LastScheduleTime);
        Assert.Equal(OperatorReason.Suspended, Ready().Reason);
        Assert.Equal(Conditions.True, Ready().Status);
    }

    [Fact]
    public async Task A_due_schedule_slot_creates_the_run_and_sets_last_schedule_time()
    {
        PutPolicy(Spec("0 10 * * *"));
        time.SetUtcNow(At(10, 0, 5));

        var result = await ReconcileAsync();

        Assert.Equal([RunName("web-1", At(10)), RunName("web-2", At(10))], Backups().Select(b => b.Name));
        Assert.Equal(At(10), Status().LastScheduleTime?.ToUniversalTime());
        Assert.Equal(At(10).AddDays(1), Status().NextScheduleTime?.ToUniversalTime());
        Assert.Equal(0, Status().MissedRuns);
        Assert.NotNull(result.RequeueDelay);

        time.Advance(TimeSpan.FromMinutes(1));
        await ReconcileAsync();
        Assert.Equal(2, Backups().Count);
    }

    [Fact]
    public async Task A_slot_missed_past_the_starting_deadline_is_not_run_but_counted_with_a_warning()
    {
        PutPolicy(Spec("0 10 * * *") with { StartingDeadlineSeconds = 60 });
        time.SetUtcNow(At(10, 5));

        await ReconcileAsync();
        time.Advance(TimeSpan.FromMinutes(1));
        await ReconcileAsync();

        Assert.Empty(Backups());
        Assert.Equal(1, Status().MissedRuns);
        Assert.Equal(At(10), Status().LastMissedScheduleTime?.ToUniversalTime());
        Assert.Null(Status().LastScheduleTime);
        var missed = Assert.Single(cluster.EventsOf("nightly"), e => e.Reason == "MissedSchedule");
        Assert.Equal("Warning", missed.Type);
        Assert.Contains("spec.startingDeadlineSeconds", missed.Message);
    }

    [Fact]
    public async Task The_reconciler_never_changes_the_spec()
    {
        var spec = Spec("0 10 * * *") with { StartingDeadlineSeconds = 600, Domains = new DomainSelector { Patterns = ["web-*"] } };
        PutPolicy(spec, runNow: "1");
        var before = cluster.StoredJson<VmBackupPolicy>(Ns, "nightly", "spec");
        time.SetUtcNow(At(10, 0, 5));

        await ReconcileAsync();
        time.Advance(TimeSpan.FromDays(1));
        await ReconcileAsync();

        Assert.Equal(before, cluster.StoredJson<VmBackupPolicy>(Ns, "nightly", "spec"));
        Assert.NotEmpty(Backups());
        // Nor the copy it works on: with an informer's shared cache that change would leak.
        Assert.NotEmpty(cluster.SpecsAtPatch);
        Assert.All(cluster.SpecsAtPatch, s => Assert.Equal(before, s.Spec));
    }
}
