using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Runtime;

public sealed class WorkQueueTests
{
    private static readonly ObjectKey A = new("default", "a");
    private static readonly ObjectKey B = new("default", "b");

    [Fact]
    public async Task A_key_added_twice_while_waiting_is_processed_once()
    {
        using var queue = new WorkQueue(new FakeTimeProvider());
        queue.Add(A);
        queue.Add(A);
        queue.Add(B);

        Assert.Equal(2, queue.Count);
        Assert.Equal(A, await queue.GetAsync());
        Assert.Equal(B, await queue.GetAsync());
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_re_added_while_processing_is_not_handed_to_a_second_worker_but_processed_again_after()
    {
        using var queue = new WorkQueue(new FakeTimeProvider());
        queue.Add(A);
        var first = await queue.GetAsync();

        queue.Add(A);
        var second = queue.GetAsync();
        Assert.False(second.IsCompleted);

        queue.Done(first!.Value);
        Assert.Equal(A, await second.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Failures_back_off_from_5_ms_doubling_to_1000_s_and_forget_starts_over()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 30; i++)
        {
            queue.AddRateLimited(A);
            var waited = TimeSpan.Zero;
            // No worker waits, so the key lands in the queue synchronously when its timer fires.
            while (queue.Count == 0)
            {
                // Step in 1 ms, so the delay is measured, not assumed.
                var step = waited < TimeSpan.FromSeconds(1) ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(1);
                time.Advance(step);
                waited += step;
            }
            delays.Add(waited);
            queue.Done((await queue.GetAsync())!.Value);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(5), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(10), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(20), delays[2]);
        Assert.Equal(TimeSpan.FromSeconds(1000), delays[^1]);
        queue.Forget(A);
        Assert.Equal(0, queue.Requeues(A));
    }

    [Fact]
    public async Task Add_after_waits_for_the_delay_and_the_earliest_of_two_delays_wins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time);
        queue.AddAfter(A, TimeSpan.FromMinutes(10));
        queue.AddAfter(A, TimeSpan.FromMinutes(1));
        var next = queue.GetAsync();

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(A, await next.WaitAsync(TimeSpan.FromSeconds(5)));
        queue.Done(A);

        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Shutdown_releases_waiting_workers_and_ignores_later_adds()
    {
        using var queue = new WorkQueue(new FakeTimeProvider());
        var waiting = queue.GetAsync();

        queue.ShutDown();
        queue.Add(A);

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(await queue.GetAsync());
    }

    [Fact]
    public async Task A_cancelled_wait_does_not_swallow_the_next_key()
    {
        using var queue = new WorkQueue(new FakeTimeProvider());
        using var cancel = new CancellationTokenSource();
        var abandoned = queue.GetAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        queue.Add(A);
        Assert.Equal(A, await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
