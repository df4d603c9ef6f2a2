namespace FiBackup.Operator.Runtime;

/// <summary>
/// The keys waiting to be reconciled, with client-go workqueue semantics: a key added again while it waits is
/// processed once (dedupe); a key is never handed to two workers at once — added while being processed, it is
/// queued again when <see cref="Done"/> is called; failures back off per key; <see cref="AddAfter"/> serves
/// requeue-after. Timers run on the injected <see cref="TimeProvider"/> so tests control time.
/// </summary>
public sealed class WorkQueue : IDisposable
{
    private readonly Lock _gate = new();
    private readonly LinkedList<ObjectKey> _queue = new();
    private readonly HashSet<ObjectKey> _dirty = [];
    private readonly HashSet<ObjectKey> _processing = [];
    private readonly LinkedList<TaskCompletionSource<ObjectKey?>> _waiters = new();
    private readonly Dictionary<ObjectKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly ItemBackoff _backoff;
    private readonly TimeProvider _time;
    private bool _shuttingDown;

    public WorkQueue(TimeProvider? time = null, ItemBackoff? backoff = null)
    {
        _time = time ?? TimeProvider.System;
        _backoff = backoff ?? new ItemBackoff();
    }

    /// <summary>Keys waiting (not counting those being processed or delayed).</summary>
    public int Count { get { lock (_gate) return _queue.Count; } }

    public bool IsShuttingDown { get { lock (_gate) return _shuttingDown; } }

    public void Add(ObjectKey key)
    {
        lock (_gate)
        {
            if (_shuttingDown || !_dirty.Add(key)) return;
            if (_processing.Contains(key)) return; // Done() queues it again
            _queue.AddLast(key);
            HandOff();
        }
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed; of several pending delays the earliest wins.</summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        lock (_gate)
        {
            if (_shuttingDown) return;
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due) return;
                pending.Timer.Dispose();
            }
            var timer = _time.CreateTimer(_ => Fire(key), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Adds the key after its backoff (5 ms doubling per failure up to 1000 s by default).</summary>
    public void AddRateLimited(ObjectKey key) => AddAfter(key, _backoff.Next(key));

    /// <summary>Clears the key's failure count, so its next failure backs off from the start.</summary>
    public void Forget(ObjectKey key) => _backoff.Forget(key);

    public int Requeues(ObjectKey key) => _backoff.Failures(key);

    /// <summary>The next key to process, or null once the queue shuts down. Call <see cref="Done"/> after.</summary>
    public async Task<ObjectKey?> GetAsync(CancellationToken cancellationToken = default)
    {
        LinkedListNode<TaskCompletionSource<ObjectKey?>> node;
        lock (_gate)
        {
            if (_shuttingDown) return null;
            if (_queue.First is { } first)
            {
                _queue.RemoveFirst();
                Start(first.Value);
                return first.Value;
            }
            node = _waiters.AddLast(new TaskCompletionSource<ObjectKey?>(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        using var registration = cancellationToken.Register(() => StopWaiting(node, cancellationToken));
        return await node.Value.Task.ConfigureAwait(false);
    }

    /// <summary>Marks the key processed; if it was added meanwhile it goes back into the queue now.</summary>
    public void Done(ObjectKey key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (!_shuttingDown && _dirty.Contains(key))
            {
                _queue.AddLast(key);
                HandOff();
            }
        }
    }

    /// <summary>Stops handing out keys: waiting and later <see cref="GetAsync"/> calls return null, adds are ignored.</summary>
    public void ShutDown()
    {
        List<TaskCompletionSource<ObjectKey?>> waiters;
        lock (_gate)
        {
            if (_shuttingDown) return;
            _shuttingDown = true;
            foreach (var (_, timer) in _delayed.Values) timer.Dispose();
            _delayed.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var waiter in waiters) waiter.TrySetResult(null);
    }

    public void Dispose() => ShutDown();

    private void Fire(ObjectKey key)
    {
        lock (_gate)
        {
            if (_delayed.Remove(key, out var pending)) pending.Timer.Dispose();
        }
        Add(key);
    }

    private void StopWaiting(LinkedListNode<TaskCompletionSource<ObjectKey?>> node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // No longer listed means a key was already handed over; the worker will get it.
            if (node.List is null) return;
            _waiters.Remove(node);
        }
        node.Value.TrySetCanceled(cancellationToken);
    }

    private void Start(ObjectKey key)
    {
        _dirty.Remove(key);
        _processing.Add(key);
    }

    // Called under the gate: give waiting workers keys directly (their continuations run asynchronously).
    private void HandOff()
    {
        while (_waiters.First is { } waiter && _queue.First is { } item)
        {
            _waiters.RemoveFirst();
            _queue.RemoveFirst();
            Start(item.Value);
            waiter.Value.TrySetResult(item.Value);
        }
    }
}
