using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class BackupReconcilerTests : IDisposable
{
    private const string Ns = "ops";
    private const string ClaimName = "vm-backups";
    private static readonly ObjectKey Key = new(Ns, "web-1-now");

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
    private readonly FakeCluster cluster;
    private readonly FakeBackupEngine engine = new("hv1", "web-1");
    private readonly string claimsRoot = Directory.CreateTempSubdirectory("fibackup-claims-").FullName;
    private readonly RunningOperations<BackupProgress, BackupResult> operations;
    private readonly BackupReconciler reconciler;

    public BackupReconcilerTests()
    {
        cluster = new FakeCluster(time);
        cluster.BoundClaim(Ns, ClaimName);
        Directory.CreateDirectory(Path.Combine(claimsRoot, Ns, ClaimName));
        operations = new RunningOperations<BackupProgress, BackupResult>(_ => { }, time);
        reconciler = new BackupReconciler(cluster, engine, new ClaimDirectories(claimsRoot), time,
            new LocalMover<VmBackup, BackupProgress, BackupResult>(operations, CancellationToken.None), new OperatorMetrics());
        engine.Backup = request => Task.FromResult(new BackupResult("20261127T100000Z", BackupType.Full, "20261127T100000Z",
            [new BackupDiskResult("vda", "/images/web-1.qcow2", ["chains/20261127T100000Z/vda/000-full.qcow2"], 1 << 20, 1 << 20)], [], false));
    }

    public void Dispose() => Directory.Delete(claimsRoot, recursive: true);

    private void PutBackup() => cluster.Put(new VmBackup
    {
        Metadata = new V1ObjectMeta { Name = Key.Name, NamespaceProperty = Ns },
        Spec = new VmBackupSpec
        {
            Domain = "web-1",
            Source = new BackupSource { Libvirt = new LibvirtSource { Uri = "qemu:///system" } },
            Destination = new BackupDestination { PersistentVolumeClaim = new ClaimDestination { ClaimName = ClaimName } },
        },
    });

    private VmBackup Backup() => cluster.Get<VmBackup>(Key)!;

    private async Task RunToEndAsync()
    {
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        await operations.Find(Backup().Metadata.Uid)!.Task;
    }

    [Fact]
    public async Task A_reconcile_on_a_cache_that_lags_the_final_status_write_neither_runs_again_nor_writes_old_status()
    {
        PutBackup();
        await RunToEndAsync();
        var running = Backup();
        Assert.Equal(OperationPhase.Running, running.Status!.Phase);

        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        Assert.Equal(OperationPhase.Succeeded, Backup().Status!.Phase);
        var patches = cluster.StatusPatches.Count;

        // The informer still holds the Running copy: our own last write has not come back yet.
        var succeeded = Backup();
        cluster.Put(running);
        var lagging = await reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(1, engine.BackupCalls);
        Assert.Equal(patches, cluster.StatusPatches.Count);
        Assert.NotNull(lagging.RequeueDelay);

        // Once the cache shows the final status, the operation is forgotten.
        cluster.Put(succeeded);
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        Assert.Null(operations.Find(succeeded.Metadata.Uid));
        Assert.Equal(1, engine.BackupCalls);
    }

    [Fact]
    public async Task An_outcome_whose_status_write_was_refused_as_stale_is_written_by_the_next_reconcile()
    {
        PutBackup();
        await RunToEndAsync();
        cluster.RefuseNextStatusPatch = true;

        await Assert.ThrowsAsync<StaleObjectException>(() => reconciler.ReconcileAsync(Key, CancellationToken.None));
        Assert.Equal(OperationPhase.Running, Backup().Status!.Phase);

        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        var done = Backup().Status!;
        Assert.Equal(OperationPhase.Succeeded, done.Phase);
        Assert.Equal("20261127T100000Z", done.RestorePoint);
        Assert.Equal(Conditions.True, Conditions.Get(done.Conditions, ConditionTypes.Complete)?.Status);
        Assert.Equal(1, engine.BackupCalls);
    }
}
