namespace FiBackup.Operator.Runtime;

/// <summary>How a <see cref="Controller"/> runs: how many keys at once, and the clock its queue uses.</summary>
public sealed record ControllerOptions
{
    /// <summary>Reconciles in parallel (controller-runtime's MaxConcurrentReconciles); never two for one key.</summary>
    public int Workers { get; init; } = 1;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Per-key retry backoff; controller-runtime's 5 ms doubling to 1000 s when null.</summary>
    public ItemBackoff? Backoff { get; init; }
}
