using FiBackup.Engine.Restore;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Controllers.Policies;
using FiBackup.Operator.Controllers.Restores;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using EngineBackup = FiBackup.Engine.Backup;

namespace FiBackup.Operator.Hosting;

/// <summary>
/// `fibackup operator` put together: informers for the three kinds (always running, so a standby
/// instance has warm caches and is ready), the HTTP endpoints, and — while this instance leads, or
/// always without --leader-elect — the three controllers. Losing the lease cancels the controllers
/// and every backup and restore in flight (the engine undoes what it must); the instance then
/// stands for election again.
/// </summary>
public static class OperatorHost
{
    public const string LeaseName = "fibackup-operator";

    /// <param name="engine">
    /// The engine the controllers call; null for the in-process mover over libvirt. Benchmarks pass a
    /// simulated one to measure the operator alone.
    /// </param>
    public static async Task RunAsync(OperatorOptions options, TextWriter output, TextWriter error, CancellationToken ct,
        IBackupEngine? engine = null)
    {
        using var loggers = LoggerFactory.Create(builder => builder
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information));
        var log = loggers.CreateLogger("fibackup.operator");
        var time = TimeProvider.System;
        using var client = new Kubernetes(KubeConfig.Load(options.Kubeconfig));

        var informerOptions = new InformerOptions();
        var policies = NewInformer<VmBackupPolicy>(client, options, informerOptions, loggers, time);
        var backups = NewInformer<VmBackup>(client, options, informerOptions, loggers, time);
        var restores = NewInformer<VmRestore>(client, options, informerOptions, loggers, time);
        var claimsInformer = NewInformer<V1PersistentVolumeClaim>(client, options, informerOptions, loggers, time);
        var informers = new Dictionary<Type, object>
        {
            [typeof(VmBackupPolicy)] = policies, [typeof(VmBackup)] = backups, [typeof(VmRestore)] = restores,
            [typeof(V1PersistentVolumeClaim)] = claimsInformer,
        };
        // The movers' Jobs, watched only when there are any: their ends wake the objects that own them.
        var jobsInformer = options.Mover == "job" ? NewInformer<V1Job>(client, options, informerOptions, loggers, time) : null;

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = new List<Task>
        {
            policies.RunAsync(stopping.Token), backups.RunAsync(stopping.Token), restores.RunAsync(stopping.Token),
            claimsInformer.RunAsync(stopping.Token),
        };
        if (jobsInformer is not null) running.Add(jobsInformer.RunAsync(stopping.Token));

        var metrics = new OperatorMetrics();
        await using var http = new OperatorHttpServer(metrics, () => ProbeResult.Pass,
            () => policies.HasSynced && backups.HasSynced && restores.HasSynced && claimsInformer.HasSynced && jobsInformer?.HasSynced != false ? ProbeResult.Pass : ProbeResult.Fail("informers not synced yet"),
            new System.Net.IPEndPoint(options.MetricsAddress, options.MetricsPort), loggers);
        await http.StartAsync(ct);
        log.LogInformation("fibackup operator {Identity}: watching {Namespace}, claims under {Claims}, mover {Mover}, metrics on {Address}:{Port}",
            options.Identity, options.Namespace ?? "all namespaces", options.ClaimsDirectory, options.Mover, options.MetricsAddress, http.Port);

        var events = new EventRecorder(client, "fibackup-operator", loggers.CreateLogger("fibackup.events"), time)
        {
            Instance = options.Identity,
        };
        var cluster = new KubeCluster(client, informers, events);
        var locks = new LeaseDomainLocks(client, options.EffectiveLeaseNamespace, options.Identity, time);
        engine ??= new InProcessMover(locks, time, new SshSecrets(client));
        var claims = new ClaimDirectories(options.ClaimsDirectory);
        var jobMover = jobsInformer is null
            ? null
            : new JobMoverSetup(client, jobsInformer, (options.JobMover ?? throw new InvalidOperationException("--mover job needs the Job settings"))
                with { LeaseNamespace = options.EffectiveLeaseNamespace });
        var controllers = new Controllers(cluster, engine, claims, time, metrics, loggers, options.Workers, policies, backups, restores, claimsInformer, jobMover);

        try
        {
            if (!options.LeaderElect)
            {
                await controllers.LeadAsync(stopping.Token);
            }
            else
            {
                while (!stopping.IsCancellationRequested)
                {
                    var elector = new LeaderElector(client,
                        new LeaderElectionOptions(options.EffectiveLeaseNamespace, LeaseName, options.Identity),
                        loggers.CreateLogger("fibackup.leader"), time);
                    await elector.RunAsync(controllers.LeadAsync, stopping.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await stopping.CancelAsync();
            try { await Task.WhenAll(running); } catch (OperationCanceledException) { }
            await events.CloseAsync(TimeSpan.FromSeconds(2));
            log.LogInformation("fibackup operator {Identity} stopped", options.Identity);
        }
    }

    private static Informer<T> NewInformer<T>(IKubernetes client, OperatorOptions options, InformerOptions informerOptions,
        ILoggerFactory loggers, TimeProvider time) where T : class, IKubernetesObject<k8s.Models.V1ObjectMeta> =>
        new(new ResourceClient<T>(client, ResourceKind<T>.FromEntity(), options.Namespace), informerOptions,
            loggers.CreateLogger($"fibackup.informer.{typeof(T).Name}"), time);

    /// <summary>The three controllers of one leadership term.</summary>
    private sealed class Controllers(ICluster cluster, IBackupEngine engine, ClaimDirectories claims, TimeProvider time,
        OperatorMetrics metrics, ILoggerFactory loggers, int workers,
        Informer<VmBackupPolicy> policies, Informer<VmBackup> backups, Informer<VmRestore> restores,
        Informer<V1PersistentVolumeClaim> claimsInformer, JobMoverSetup? jobMover)
    {
        public async Task LeadAsync(CancellationToken leading)
        {
            // Every controller reads claims from this cache; an empty one would say "not found".
            await claimsInformer.WaitForSyncAsync(leading);
            Controller? backupController = null;
            Controller? restoreController = null;
            var backupOperations = new RunningOperations<EngineBackup.BackupProgress, EngineBackup.BackupResult>(key => backupController?.Queue?.Add(key), time);
            var restoreOperations = new RunningOperations<RestoreProgress, RestoreResult>(key => restoreController?.Queue?.Add(key), time);
            var controllerOptions = new ControllerOptions { Workers = workers, Time = time };
            IMover<VmBackup, EngineBackup.BackupProgress, EngineBackup.BackupResult> backupMover = jobMover is null
                ? new LocalMover<VmBackup, EngineBackup.BackupProgress, EngineBackup.BackupResult>(backupOperations, leading)
                : jobMover.For<VmBackup, EngineBackup.BackupProgress, EngineBackup.BackupResult>(time, b => b.Status, b => b.Status?.Phase == OperationPhase.Running);
            IMover<VmRestore, RestoreProgress, RestoreResult> restoreMover = jobMover is null
                ? new LocalMover<VmRestore, RestoreProgress, RestoreResult>(restoreOperations, leading)
                : jobMover.For<VmRestore, RestoreProgress, RestoreResult>(time, r => r.Status, r => r.Status?.Phase == OperationPhase.Running);

            var policyController = new Controller("vmbackuppolicy", new MeteredReconciler("vmbackuppolicy", new PolicyReconciler(cluster, engine, claims, time) { Metrics = metrics }, metrics),
                    controllerOptions, loggers.CreateLogger("fibackup.controller.vmbackuppolicy"))
                .For(policies)
                .Watches(backups, backup => backup.Spec.PolicyRef is { } policy ? [new ObjectKey(backup.Namespace, policy.Name)] : [])
                // A claim that appears or binds makes its policies Ready without waiting for their retry.
                .Watches(claimsInformer, claim => policies.List(claim.Metadata.NamespaceProperty)
                    .Where(p => p.Spec.Destination.PersistentVolumeClaim.ClaimName == claim.Metadata.Name).Select(ObjectKey.Of));
            backupController = new Controller("vmbackup",
                    new MeteredReconciler("vmbackup", new BackupReconciler(cluster, engine, claims, time, backupMover, metrics), metrics),
                    controllerOptions, loggers.CreateLogger("fibackup.controller.vmbackup"))
                .For(backups)
                .OwnsWhen(jobMover?.Jobs)
                .Watches(policies, policy => backups.List(policy.Namespace)
                    .Where(b => b.Spec.PolicyRef?.Name == policy.Name && !b.IsFinished()).Select(ObjectKey.Of));
            restoreController = new Controller("vmrestore",
                    new MeteredReconciler("vmrestore", new RestoreReconciler(cluster, claims, time, restoreMover, engine, metrics), metrics),
                    controllerOptions, loggers.CreateLogger("fibackup.controller.vmrestore"))
                .For(restores)
                .OwnsWhen(jobMover?.Jobs)
                .Watches(backups, backup => restores.List(backup.Namespace)
                    .Where(r => r.Spec.BackupRef.Name == backup.Name).Select(ObjectKey.Of));
            try
            {
                await Task.WhenAll(policyController.RunAsync(leading), backupController.RunAsync(leading), restoreController.RunAsync(leading));
            }
            finally
            {
                await backupOperations.CancelAllAsync();
                await restoreOperations.CancelAllAsync();
            }
        }
    }

    /// <summary>What every Job mover of this process shares: the client, the Jobs' cache and how Jobs are built.</summary>
    private sealed record JobMoverSetup(IKubernetes Client, Informer<V1Job> Jobs, Movers.Jobs.JobMoverOptions Options)
    {
        public Movers.Jobs.JobMover<TObject, TProgress, TResult> For<TObject, TProgress, TResult>(TimeProvider time,
            Func<TObject, IMoverStatus?> statusOf, Func<TObject, bool> isRunning)
            where TObject : class, IKubernetesObject<V1ObjectMeta>
            where TProgress : class
            where TResult : class =>
            new(Client, Jobs, Options, time, statusOf, isRunning);
    }
}

internal static class ControllerJobs
{
    /// <summary>Owns(jobs) when the operator runs Job movers.</summary>
    public static Controller OwnsWhen(this Controller controller, Informer<V1Job>? jobs) => jobs is null ? controller : controller.Owns(jobs);
}
