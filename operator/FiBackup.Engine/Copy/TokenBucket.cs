namespace FiBackup.Engine.Copy;

/// <summary>
/// A bandwidth limit: by any moment t, at most <c>burst + rate·t</c> bytes have been taken.
/// A take larger than the tokens available goes into debt and waits, on the injected clock, until
/// the debt is paid, so chunks bigger than the burst still average out to the rate.
/// Not thread-safe: one copy takes from it in order.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _bytesPerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefill;

    public TokenBucket(long bytesPerSecond, long burstBytes, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(burstBytes);
        _bytesPerSecond = bytesPerSecond;
        _burst = burstBytes;
        _time = time;
        _tokens = burstBytes;
        _lastRefill = time.GetTimestamp();
    }

    /// <summary>A tenth of a second's worth: smooth, yet not one timer per small chunk.</summary>
    public static TokenBucket ForRate(long bytesPerSecond, TimeProvider time) =>
        new(bytesPerSecond, Math.Max(1, bytesPerSecond / 10), time);

    /// <summary>
    /// The chunk size that keeps a limited copy smooth: about an eighth of a second's worth,
    /// 4 KiB-aligned, within [64 KiB, <paramref name="bufferSize"/>].
    /// </summary>
    public static int ChunkSizeFor(long bytesPerSecond, int bufferSize) =>
        (int)Math.Clamp(bytesPerSecond / 8 / 4096 * 4096, Math.Min(64 << 10, bufferSize), bufferSize);

    public async ValueTask TakeAsync(long bytes, CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + _time.GetElapsedTime(_lastRefill, now).TotalSeconds * _bytesPerSecond);
        _lastRefill = now;
        _tokens -= bytes;
        if (_tokens >= 0) return;
        // Whole milliseconds, rounded up: Task.Delay truncates to milliseconds, and a wait cut short
        // would let the copy run ahead of the rate.
        var wait = TimeSpan.FromMilliseconds(Math.Ceiling(-_tokens * 1000 / _bytesPerSecond));
        await Task.Delay(wait, _time, ct).ConfigureAwait(false);
    }
}
