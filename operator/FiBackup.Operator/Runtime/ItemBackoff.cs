using System.Collections.Concurrent;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Per-key exponential backoff, as controller-runtime's default item limiter: base × 2^failures, capped
/// (5 ms up to 1000 s), so one broken object retries slowly while the others are not held up.
/// </summary>
public sealed class ItemBackoff(TimeSpan? initial = null, TimeSpan? max = null)
{
    private readonly ConcurrentDictionary<ObjectKey, int> _failures = new();

    public TimeSpan Initial { get; } = initial ?? TimeSpan.FromMilliseconds(5);
    public TimeSpan Max { get; } = max ?? TimeSpan.FromSeconds(1000);

    /// <summary>The delay before the key's next attempt; counts one more failure.</summary>
    public TimeSpan Next(ObjectKey key)
    {
        var failures = _failures.AddOrUpdate(key, 1, (_, n) => n + 1) - 1;
        // Past 2^40 the product overflows long before the cap matters, so clamp the exponent.
        var ticks = Initial.Ticks * Math.Pow(2, Math.Min(failures, 40));
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    public int Failures(ObjectKey key) => _failures.TryGetValue(key, out var n) ? n : 0;

    public void Forget(ObjectKey key) => _failures.TryRemove(key, out _);
}
