namespace FiBackup.Operator.Runtime;

/// <summary>
/// Which Lease decides the leader and how fast leadership moves; the durations are controller-runtime's
/// defaults (15 s lease, 10 s renew deadline, 2 s retry). The renew deadline must be below the lease
/// duration, so a leader stops before anyone else may start.
/// </summary>
public sealed record LeaderElectionOptions(string LeaseNamespace, string LeaseName, string Identity)
{
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>On graceful shutdown give the lease up, so another instance takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
