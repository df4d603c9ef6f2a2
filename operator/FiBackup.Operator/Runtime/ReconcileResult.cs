namespace FiBackup.Operator.Runtime;

/// <summary>What a successful reconcile asks for next: nothing (<see cref="Done"/>) or another look later.</summary>
public sealed record ReconcileResult
{
    private ReconcileResult(TimeSpan? requeueDelay) => RequeueDelay = requeueDelay;

    /// <summary>When set, the key is reconciled again after this delay (e.g. the next schedule time).</summary>
    public TimeSpan? RequeueDelay { get; }

    public static ReconcileResult Done { get; } = new((TimeSpan?)null);

    public static ReconcileResult RequeueAfter(TimeSpan delay) => new(delay);
}
