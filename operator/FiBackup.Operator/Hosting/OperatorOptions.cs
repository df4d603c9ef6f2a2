namespace FiBackup.Operator.Hosting;

/// <summary>How `fibackup operator` was asked to run.</summary>
public sealed record OperatorOptions
{
    public string? Kubeconfig { get; init; }
    /// <summary>The one namespace watched; null for all.</summary>
    public string? Namespace { get; init; }
    public required string ClaimsDirectory { get; init; }
    public int MetricsPort { get; init; } = 8080;
    /// <summary>Where the metrics/health server listens; every interface by default, as a pod needs.</summary>
    public System.Net.IPAddress MetricsAddress { get; init; } = System.Net.IPAddress.Any;
    public bool LeaderElect { get; init; }
    public string? LeaseNamespace { get; init; }
    public required string Identity { get; init; }
    public int Workers { get; init; } = 8;

    /// <summary>in-process (the engine runs here) or job (a batch/v1 Job per attempt, <see cref="JobMover"/>).</summary>
    public string Mover { get; init; } = "in-process";

    /// <summary>How Jobs are built with --mover job (the lease namespace is filled in by the host).</summary>
    public Movers.Jobs.JobMoverOptions? JobMover { get; init; }

    public string EffectiveLeaseNamespace => LeaseNamespace ?? Namespace ?? "default";
}
