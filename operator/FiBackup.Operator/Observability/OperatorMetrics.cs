using Prometheus;

namespace FiBackup.Operator.Observability;

/// <summary>
/// The operator's Prometheus metrics, in one registry of its own: several operator instances in one
/// process (tests) never see each other's series, and nothing leaks in from
/// <see cref="Metrics.DefaultRegistry"/>.
/// </summary>
/// <remarks>
/// Per-domain series are labelled <c>namespace</c> (of the VmBackup), <c>policy</c> (the
/// VmBackupPolicy's name; <c>""</c> for a manual VmBackup without a policyRef) and <c>domain</c>
/// (the libvirt domain name).
/// </remarks>
public sealed class OperatorMetrics
{
    private static readonly string[] DomainLabels = ["namespace", "policy", "domain"];

    // A backup of a small disk takes seconds, the first full copy of a large one hours; the
    // buckets are spread so both ends (1 s ... 6 h) still tell runs apart.
    private static readonly double[] BackupDurationBuckets =
        [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600];

    private const string Succeeded = "succeeded";
    private const string Failed = "failed";

    private readonly Counter _backups;
    private readonly Histogram _backupDuration;
    private readonly Counter _bytesCopied;
    private readonly Gauge _lastSuccess;
    private readonly Gauge _lastStatus;
    private readonly Gauge _chainLength;
    private readonly Gauge _restorePoints;
    private readonly Gauge _inFlight;
    private readonly Counter _reconcileErrors;
    private readonly Counter _reconciles;
    private readonly Counter _restores;

    public OperatorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        _backups = factory.CreateCounter("fibackup_backups_total",
            "Backups (VmBackup runs) that ended, by result: succeeded or failed.",
            [.. DomainLabels, "result"]);
        _backupDuration = factory.CreateHistogram("fibackup_backup_duration_seconds",
            "Wall-clock time of a backup from start to its final phase, succeeded or failed.",
            new HistogramConfiguration { LabelNames = DomainLabels, Buckets = BackupDurationBuckets });
        _bytesCopied = factory.CreateCounter("fibackup_backup_bytes_copied_total",
            "Bytes copied from the domain's images into the repository, including by backups that later failed.",
            DomainLabels);
        _lastSuccess = factory.CreateGauge("fibackup_last_success_timestamp_seconds",
            "Unix time at which the domain's newest successful backup completed.",
            DomainLabels);
        _lastStatus = factory.CreateGauge("fibackup_last_backup_status",
            "Result of the domain's newest backup: 1 succeeded, 0 failed.",
            DomainLabels);
        _chainLength = factory.CreateGauge("fibackup_chain_length",
            "Files in the domain's current backup chain in the repository (the full image plus its incrementals).",
            DomainLabels);
        _restorePoints = factory.CreateGauge("fibackup_restore_points",
            "Restore points of the domain found in the repository.",
            DomainLabels);
        _inFlight = factory.CreateGauge("fibackup_operations_in_flight",
            "Data-moving operations running now, by kind: backup, restore or prune.",
            "kind");
        _reconcileErrors = factory.CreateCounter("fibackup_reconcile_errors_total",
            "Reconciles that ended in an error (and will be retried with backoff), by controller.",
            "controller");
        _reconciles = factory.CreateCounter("fibackup_reconciles_total",
            "Reconciles that ended, by controller and result: success or error.",
            "controller", "result");
        _restores = factory.CreateCounter("fibackup_restores_total",
            "Restores (VmRestore runs) that ended, by namespace and result: succeeded or failed.",
            "namespace", "result");

        // Every kind is exported from the start, so "nothing running" reads 0 instead of no data.
        foreach (var kind in Enum.GetValues<OperationKind>())
            _inFlight.WithLabels(KindLabel(kind));
    }

    /// <summary>The registry /metrics exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>A backup of <paramref name="domain"/> reached Succeeded or Failed.</summary>
    /// <param name="policy">The VmBackupPolicy's name; null or empty for a manual backup without one.</param>
    /// <param name="bytesCopied">Bytes written to the repository by this run, also when it failed.</param>
    /// <param name="completedAt">When the run ended; becomes the last success time when it succeeded.</param>
    public void BackupFinished(string ns, string? policy, string domain, bool succeeded,
        TimeSpan duration, long bytesCopied, DateTimeOffset completedAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesCopied);
        string[] labels = [ns, policy ?? "", domain];

        // Both result series exist once a domain has a backup, so rate() and increase() see the
        // first failure as a step from 0 rather than as a series appearing.
        _backups.WithLabels([.. labels, succeeded ? Succeeded : Failed]).Inc();
        _backups.WithLabels([.. labels, succeeded ? Failed : Succeeded]);

        _backupDuration.WithLabels(labels).Observe(Math.Max(0, duration.TotalSeconds));
        _bytesCopied.WithLabels(labels).Inc(bytesCopied);
        _lastStatus.WithLabels(labels).Set(succeeded ? 1 : 0);
        if (succeeded)
            _lastSuccess.WithLabels(labels).SetToTimeUtc(completedAt);
    }

    /// <summary>The repository of <paramref name="domain"/> was read: it holds
    /// <paramref name="restorePoints"/> points and its current chain is <paramref name="chainLength"/> files long.</summary>
    public void RepositoryObserved(string ns, string? policy, string domain, int restorePoints, int chainLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(restorePoints);
        ArgumentOutOfRangeException.ThrowIfNegative(chainLength);
        string[] labels = [ns, policy ?? "", domain];
        _restorePoints.WithLabels(labels).Set(restorePoints);
        _chainLength.WithLabels(labels).Set(chainLength);
    }

    /// <summary>Counts one operation of <paramref name="kind"/> as in flight until the result is disposed.</summary>
    public IDisposable OperationStarted(OperationKind kind) => new InFlight(_inFlight.WithLabels(KindLabel(kind)));

    /// <summary>One reconcile of <paramref name="controller"/> ended; <paramref name="error"/> is what it threw, or null.</summary>
    public void ReconcileFinished(string controller, Exception? error)
    {
        var errors = _reconcileErrors.WithLabels(controller);
        if (error is null)
        {
            _reconciles.WithLabels(controller, "success").Inc();
        }
        else
        {
            _reconciles.WithLabels(controller, "error").Inc();
            errors.Inc();
        }
    }

    /// <summary>A restore in namespace <paramref name="ns"/> reached Succeeded or Failed.</summary>
    public void RestoreFinished(string ns, bool succeeded)
    {
        _restores.WithLabels(ns, succeeded ? Succeeded : Failed).Inc();
        _restores.WithLabels(ns, succeeded ? Failed : Succeeded);
    }

    /// <summary>Drops every series of <paramref name="domain"/>, e.g. once its policy is deleted or no
    /// longer selects it, so dashboards and alerts stop showing a domain nobody backs up any more.</summary>
    public void ForgetDomain(string ns, string? policy, string domain)
    {
        string[] labels = [ns, policy ?? "", domain];
        _backups.RemoveLabelled([.. labels, Succeeded]);
        _backups.RemoveLabelled([.. labels, Failed]);
        _backupDuration.RemoveLabelled(labels);
        _bytesCopied.RemoveLabelled(labels);
        _lastSuccess.RemoveLabelled(labels);
        _lastStatus.RemoveLabelled(labels);
        _chainLength.RemoveLabelled(labels);
        _restorePoints.RemoveLabelled(labels);
    }

    private static string KindLabel(OperationKind kind) => kind switch
    {
        OperationKind.Backup => "backup",
        OperationKind.Restore => "restore",
        OperationKind.Prune => "prune",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // Disposing twice (a using block plus an explicit Dispose on an error path) must not count down twice.
    private sealed class InFlight : IDisposable
    {
        private Gauge.Child? _gauge;

        public InFlight(Gauge.Child gauge)
        {
            gauge.Inc();
            _gauge = gauge;
        }

        public void Dispose() => Interlocked.Exchange(ref _gauge, null)?.Dec();
    }
}
