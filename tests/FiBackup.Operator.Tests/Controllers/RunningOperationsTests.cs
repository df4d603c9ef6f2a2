using FiBackup.Engine.Backup;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class RunningOperationsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ObjectKey Key = new("ops", "nightly-web-1-20261127t020000z");

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero));
    private int wakes;
    private readonly RunningOperations<BackupProgress, string> operations;

    public RunningOperationsTests() =>
        operations = new RunningOperations<BackupProgress, string>(_ => Interlocked.Increment(ref wakes), time) { WakeInterval = TimeSpan.FromSeconds(2) };

    /// <summary>Work that hands its progress and token to the test, then runs until <paramref name="finish"/> completes.</summary>
    private static Func<IProgress<BackupProgress>, CancellationToken, Task<string>> Work(
        TaskCompletionSource<(IProgress<BackupProgress> Progress, CancellationToken Token)> started, Task<string> finish) =>
        async (progress, token) =>
        {
            started.TrySetResult((progress, token));
            return await finish.WaitAsync(token);
        };

    [Fact]
    public async Task A_second_start_for_the_same_uid_does_not_start_a_second_operation()
    {
        var calls = 0;
        var finish = new TaskCompletionSource<string>();
        Func<IProgress<BackupProgress>, CancellationToken, Task<string>> work = async (_, token) =>
        {
            Interlocked.Increment(ref calls);
            return await finish.Task.WaitAsync(token);
        };

        var first = operations.Start("uid-1", Key, work, CancellationToken.None);
        var second = operations.Start("uid-1", Key, work, CancellationToken.None);
        finish.SetResult("done");
        await first.Task.WaitAsync(Patience);

        Assert.Same(first, second);
        Assert.Equal(1, calls);
        Assert.Equal("done", await second.Task);
    }

    [Fact]
    public async Task Concurrent_starts_for_the_same_uid_run_the_work_once()
    {
        for (var round = 0; round < 200; round++)
        {
            var uid = $"uid-{round}";
            var calls = 0;
            var finish = new TaskCompletionSource<string>();
            Func<IProgress<BackupProgress>, CancellationToken, Task<string>> work = async (_, token) =>
            {
                Interlocked.Increment(ref calls);
                return await finish.Task.WaitAsync(token);
            };
            using var barrier = new Barrier(4);
            var starts = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                barrier.SignalAndWait(Patience);
                return operations.Start(uid, Key, work, CancellationToken.None);
            })).ToArray();
            var started = await Task.WhenAll(starts).WaitAsync(Patience);
            finish.SetResult("done");
            await Task.WhenAll(started.Select(o => o.Task)).WaitAsync(Patience);
            // Let any second (untracked) run of the work get scheduled before counting.
            await Task.Delay(10);

            Assert.All(started, o => Assert.Same(started[0], o));
            Assert.Equal(1, calls);
        }
    }

    [Fact]
    public async Task Progress_wakes_the_object_at_most_once_per_wake_interval()
    {
        var started = new TaskCompletionSource<(IProgress<BackupProgress> Progress, CancellationToken Token)>();
        var finish = new TaskCompletionSource<string>();
        var operation = operations.Start("uid-1", Key, Work(started, finish.Task), CancellationToken.None);
        var (progress, _) = await started.Task.WaitAsync(Patience);

        progress.Report(new BackupProgress(BackupStep.Copying, 1, 100));
        Assert.Equal(1, wakes);

        progress.Report(new BackupProgress(BackupStep.Copying, 2, 100));
        time.Advance(TimeSpan.FromSeconds(1.9));
        progress.Report(new BackupProgress(BackupStep.Copying, 3, 100));
        Assert.Equal(1, wakes);
        Assert.Equal(3, operation.Latest!.BytesDone);

        time.Advance(TimeSpan.FromSeconds(0.1));
        progress.Report(new BackupProgress(BackupStep.Copying, 4, 100));
        Assert.Equal(2, wakes);

        finish.SetResult("done");
        await operation.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task The_end_of_an_operation_wakes_the_object_at_once()
    {
        var started = new TaskCompletionSource<(IProgress<BackupProgress> Progress, CancellationToken Token)>();
        var finish = new TaskCompletionSource<string>();
        var operation = operations.Start("uid-1", Key, Work(started, finish.Task), CancellationToken.None);
        var (progress, _) = await started.Task.WaitAsync(Patience);
        progress.Report(new BackupProgress(BackupStep.Copying, 1, 100));
        Assert.Equal(1, wakes);

        // Well inside the wake interval of the last progress wake.
        finish.SetResult("done");
        await operation.Task.WaitAsync(Patience);

        Assert.Equal(2, wakes);
        Assert.Equal(0, operations.Count);
    }

    [Fact]
    public async Task A_failed_operation_also_wakes_the_object()
    {
        var operation = operations.Start("uid-1", Key, (_, _) => Task.FromException<string>(new InvalidOperationException("boom")), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => operation.Task.WaitAsync(Patience));

        Assert.Equal(1, wakes);
    }

    [Fact]
    public async Task Cancel_all_cancels_the_token_passed_to_the_work()
    {
        var started = new TaskCompletionSource<(IProgress<BackupProgress> Progress, CancellationToken Token)>();
        var operation = operations.Start("uid-1", Key, Work(started, new TaskCompletionSource<string>().Task), CancellationToken.None);
        var (_, token) = await started.Task.WaitAsync(Patience);
        Assert.False(token.IsCancellationRequested);

        await operations.CancelAllAsync().WaitAsync(Patience);

        Assert.True(token.IsCancellationRequested);
        Assert.True(operation.Task.IsCanceled);
        Assert.Null(operations.Find("uid-1"));
    }

    [Fact]
    public async Task Stopping_the_operator_cancels_the_token_passed_to_the_work()
    {
        using var stopping = new CancellationTokenSource();
        var started = new TaskCompletionSource<(IProgress<BackupProgress> Progress, CancellationToken Token)>();
        var operation = operations.Start("uid-1", Key, Work(started, new TaskCompletionSource<string>().Task), stopping.Token);
        var (_, token) = await started.Task.WaitAsync(Patience);

        await stopping.CancelAsync();

        Assert.True(token.IsCancellationRequested);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => operation.Task.WaitAsync(Patience));
    }
}
