using FiBackup.Engine.Copy;

namespace FiBackup.Engine.Tests.Copy;

public sealed class BackgroundFlushTests
{
    private const long Window = 128L << 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _flushStarted = new(0);
    private readonly ManualResetEventSlim _mayFinish = new(true);
    private int _flushes;

    private void Flush()
    {
        Interlocked.Increment(ref _flushes);
        _flushStarted.Release();
        if (!_mayFinish.Wait(Patience)) throw new TimeoutException("the test never let the flush finish");
    }

    [Fact]
    public async Task A_flush_starts_each_time_another_window_has_been_written()
    {
        using var flush = new BackgroundFlush(Flush, Window);

        flush.WrittenUpTo(Window - 1);
        Assert.False(await _flushStarted.WaitAsync(TimeSpan.FromMilliseconds(200)));
        flush.WrittenUpTo(Window);
        Assert.True(await _flushStarted.WaitAsync(Patience));
        flush.WrittenUpTo(2 * Window - 1);   // less than a window past the request
        flush.Complete();

        Assert.Equal(1, _flushes);
    }

    [Fact]
    public async Task Windows_written_while_a_flush_runs_fold_into_one_more_flush()
    {
        using var flush = new BackgroundFlush(Flush, Window);
        _mayFinish.Reset();

        flush.WrittenUpTo(Window);
        Assert.True(await _flushStarted.WaitAsync(Patience));
        flush.WrittenUpTo(2 * Window);
        flush.WrittenUpTo(3 * Window);
        _mayFinish.Set();
        Assert.True(await _flushStarted.WaitAsync(Patience));
        flush.Complete();

        Assert.Equal(2, _flushes);
    }

    [Fact]
    public async Task A_failed_flush_fails_the_next_write_and_the_completion_with_its_error()
    {
        var failure = new IOException("fdatasync failed: No space left on device", 28);
        using var flush = new BackgroundFlush(() => { _flushStarted.Release(); throw failure; }, Window);

        flush.WrittenUpTo(Window);
        Assert.True(await _flushStarted.WaitAsync(Patience));
        // The error is recorded just after the flush returns; the next write sees it soon.
        IOException? seen = null;
        for (var tries = 0; seen is null && tries < 200; tries++)
        {
            try { flush.WrittenUpTo(Window + 1); await Task.Delay(10); }
            catch (IOException e) { seen = e; }
        }

        Assert.Same(failure, seen);
        Assert.Same(failure, Assert.Throws<IOException>(flush.Complete));
    }

    [Fact]
    public async Task Dispose_waits_for_a_running_flush_so_the_file_can_be_closed_after_it()
    {
        var flush = new BackgroundFlush(Flush, Window);
        _mayFinish.Reset();
        flush.WrittenUpTo(Window);
        Assert.True(await _flushStarted.WaitAsync(Patience));

        var disposing = Task.Run(flush.Dispose);
        await Task.Delay(200);
        Assert.False(disposing.IsCompleted);
        _mayFinish.Set();
        await disposing.WaitAsync(Patience);

        flush.WrittenUpTo(4 * Window);   // after Dispose nothing starts any more
        Assert.False(await _flushStarted.WaitAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(1, _flushes);
    }
}
