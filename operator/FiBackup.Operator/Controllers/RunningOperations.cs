using System.Collections.Concurrent;
using FiBackup.Operator.Runtime;

namespace FiBackup.Operator.Controllers;

/// <summary>
/// Backups and restores take minutes to hours, far longer than a reconcile should hold a worker.
/// A reconcile starts the work here (keyed by the object's UID) and returns; the work's progress
/// and outcome wait here until the next reconcile of the object writes them into its status.
/// Progress wakes the object at most once per <see cref="WakeInterval"/>, so status is written at
/// most every few seconds; the end wakes it at once. Operations die with the process: after a
/// restart the object is found Running with no operation here, and the controller starts it
/// again (the engine's idempotency key makes that resume, never a second restore point).
/// </summary>
public sealed class RunningOperations<TProgress, TResult>(Action<ObjectKey> wake, TimeProvider time)
    where TProgress : class
{
    private readonly Action<ObjectKey> wake = wake;
    private readonly TimeProvider time = time;
    private readonly ConcurrentDictionary<string, Operation> operations = new();

    public TimeSpan WakeInterval { get; init; } = TimeSpan.FromSeconds(2);

    public int Count => operations.Count(o => !o.Value.Task.IsCompleted);

    /// <summary>The objects whose operations are still running.</summary>
    public IReadOnlyList<ObjectKey> Keys() => operations.Values.Where(o => !o.Task.IsCompleted).Select(o => o.Key).ToList();

    public Operation? Find(string uid) => operations.GetValueOrDefault(uid);

    /// <summary>Starts <paramref name="work"/> unless an operation for <paramref name="uid"/> exists.</summary>
    public Operation Start(string uid, ObjectKey key, Func<IProgress<TProgress>, CancellationToken, Task<TResult>> work, CancellationToken stopping)
    {
        // Not GetOrAdd's factory: it may run on several racing threads, and each would start the work.
        lock (operations)
        {
            if (operations.TryGetValue(uid, out var existing)) return existing;
            var operation = new Operation(key, time.GetUtcNow(), CancellationTokenSource.CreateLinkedTokenSource(stopping));
            var progress = new ThrottledProgress(operation, this);
            operation.Task = Task.Run(async () =>
            {
                try
                {
                    return await work(progress, operation.Cancellation.Token);
                }
                finally
                {
                    wake(key);
                }
            });
            operations[uid] = operation;
            return operation;
        }
    }

    /// <summary>
    /// The operation's final outcome is written into the object's status. It stays here, marked, until
    /// the informer's cache shows that status: a reconcile on a cache that still lags our own write
    /// must wait, not start the work a second time (or call a finished restore interrupted).
    /// </summary>
    public void MarkRecorded(string uid)
    {
        if (operations.TryGetValue(uid, out var operation)) operation.Recorded = true;
    }

    /// <summary>Forgets a finished operation once its outcome is in the object's status.</summary>
    public void Remove(string uid)
    {
        if (operations.TryRemove(uid, out var operation)) operation.Cancellation.Dispose();
    }

    /// <summary>Cancels everything (leadership lost, shutdown); the engine undoes what it can.</summary>
    public async Task CancelAllAsync()
    {
        foreach (var operation in operations.Values) await operation.Cancellation.CancelAsync();
        foreach (var operation in operations.Values)
        {
            try { await operation.Task; } catch { /* reported through the object's next reconcile */ }
        }
        operations.Clear();
    }

    public sealed class Operation(ObjectKey key, DateTimeOffset started, CancellationTokenSource cancellation)
    {
        public ObjectKey Key { get; } = key;
        public DateTimeOffset Started { get; } = started;
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public Task<TResult> Task { get; internal set; } = null!;
        public TProgress? Latest { get; internal set; }

        /// <summary>Set by <see cref="MarkRecorded"/>: the outcome is in the status on the API server.</summary>
        public bool Recorded { get; internal set; }
        internal long LastWake;
    }

    private sealed class ThrottledProgress(Operation operation, RunningOperations<TProgress, TResult> owner) : IProgress<TProgress>
    {
        public void Report(TProgress value)
        {
            operation.Latest = value;
            var now = owner.time.GetTimestamp();
            var last = Interlocked.Read(ref operation.LastWake);
            if (last != 0 && owner.time.GetElapsedTime(last, now) < owner.WakeInterval) return;
            if (Interlocked.CompareExchange(ref operation.LastWake, now, last) == last) owner.wake(operation.Key);
        }
    }
}
