namespace FiBackup.Operator.Movers.Jobs;

/// <summary>
/// Keeps only the engine's newest progress report; <see cref="WriteEveryAsync"/> writes it at most
/// once per interval (the engine reports far more often than a status should change).
/// </summary>
public sealed class LatestProgress<T>(TimeProvider time) : IProgress<T> where T : class
{
    private T? latest;
    private T? written;

    public void Report(T value) => Volatile.Write(ref latest, value);

    /// <summary>Until <paramref name="ct"/> is cancelled: every <paramref name="interval"/>, the newest report if it is new.</summary>
    public async Task WriteEveryAsync(TimeSpan interval, Func<T, Task> write, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, time, ct);
                var now = Volatile.Read(ref latest);
                if (now is null || ReferenceEquals(now, written)) continue;
                written = now;
                await write(now);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
