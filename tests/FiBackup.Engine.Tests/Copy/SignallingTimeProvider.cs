using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Engine.Tests.Copy;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when code starts waiting on it (creates a timer, as
/// Task.Delay does) and for how long, so a test moves the clock exactly when and as far as
/// something waits — no sleeping.
/// </summary>
public sealed class SignallingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly SemaphoreSlim _started = new(0);
    private readonly ConcurrentQueue<TimeSpan> _waits = new();

    public SignallingTimeProvider() : this(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero)) { }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _waits.Enqueue(dueTime);
        _started.Release();
        return timer;
    }

    /// <summary>Waits until the code under test starts its next wait and returns how long that wait is.</summary>
    public async Task<TimeSpan> NextWaitAsync(CancellationToken ct = default)
    {
        if (!await _started.WaitAsync(TimeSpan.FromSeconds(30), ct))
            throw new TimeoutException("the code under test never waited on the clock");
        return _waits.TryDequeue(out var wait) ? wait : TimeSpan.Zero;
    }

    /// <summary>Lets <paramref name="work"/> run to its end, moving the clock through every wait it makes.</summary>
    public async Task<T> RunAsync<T>(Task<T> work)
    {
        using var done = new CancellationTokenSource();
        while (true)
        {
            var wait = NextWaitAsync(done.Token);
            if (await Task.WhenAny(work, wait) == work)
            {
                await done.CancelAsync();
                return await work;
            }
            Advance(await wait);
        }
    }
}
