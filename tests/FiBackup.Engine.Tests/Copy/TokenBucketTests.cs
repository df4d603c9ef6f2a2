using FiBackup.Engine.Copy;

namespace FiBackup.Engine.Tests.Copy;

public sealed class TokenBucketTests
{
    private const int MiB = 1 << 20;
    private readonly SignallingTimeProvider _time = new();

    [Fact]
    public void Takes_within_the_burst_do_not_wait()
    {
        var bucket = new TokenBucket(MiB, 256 << 10, _time);

        Assert.True(bucket.TakeAsync(128 << 10, CancellationToken.None).IsCompleted);
        Assert.True(bucket.TakeAsync(128 << 10, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_take_beyond_the_tokens_waits_exactly_until_the_rate_has_paid_for_it()
    {
        var bucket = new TokenBucket(MiB, 0, _time);

        var take = bucket.TakeAsync(MiB, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(take.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await take.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Idle_time_refills_the_bucket_only_up_to_the_burst()
    {
        var bucket = new TokenBucket(MiB, 256 << 10, _time);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(bucket.TakeAsync(256 << 10, CancellationToken.None).IsCompleted);
        var take = bucket.TakeAsync(MiB, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(take.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await take.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_waiting_take_ends_when_cancelled()
    {
        var bucket = new TokenBucket(MiB, 0, _time);
        using var cancel = new CancellationTokenSource();

        var take = bucket.TakeAsync(MiB, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take);
    }
}
