using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Keeps an in-memory copy of one kind (one namespace or all), as client-go's reflector + store: list, then
/// watch from the list's resourceVersion with bookmarks. A watch that ends is resumed from the last
/// resourceVersion seen; 410 Gone (the history moved past it) means list again, and objects missing from the
/// new list are reported deleted. A watchdog restarts watches that go silent; failures retry with backoff.
/// </summary>
public sealed class Informer<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, T> _cache = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<ObjectKey, (string ResourceVersion, DateTimeOffset Until)> _expected = [];
    private InformerHandler<T>[] _handlers = [];
    private string _resourceVersion = "";
    private int _watchdogRestarts;

    public Informer(ResourceClient<T> client, InformerOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        Client = client;
        _options = options ?? new InformerOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public ResourceClient<T> Client { get; }

    /// <summary>True once the first list is in the cache; until then the cache cannot say what is absent.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the next watch resumes from (moved on by events and bookmarks).</summary>
    public string ResourceVersion { get { lock (_gate) return _resourceVersion; } }

    /// <summary>How many watches the watchdog ended for silence.</summary>
    public int WatchdogRestarts => Volatile.Read(ref _watchdogRestarts);

    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    public T? Get(string? @namespace, string name) => Get(new ObjectKey(@namespace, name));

    public T? Get(ObjectKey key)
    {
        lock (_gate) return _cache.GetValueOrDefault(key);
    }

    /// <summary>How long a write announced by <see cref="ExpectWrite"/> is waited for at most.</summary>
    public TimeSpan WritePatience { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Announces a write this process made (the object as the server answered it), until the cache shows that
    /// resourceVersion — kube-controller-manager's "expectations". A reconcile of a cache that does not show
    /// the operator's own last write yet would compute from the state before it and be refused (409).
    /// </summary>
    public void ExpectWrite(T written)
    {
        if (written.Metadata.ResourceVersion is not { Length: > 0 } rv) return;
        var key = ObjectKey.Of(written);
        lock (_gate)
        {
            // The watch may have delivered it before the write's own response came back.
            if (_cache.GetValueOrDefault(key)?.Metadata.ResourceVersion == rv) return;
            _expected[key] = (rv, _time.GetUtcNow() + WritePatience);
        }
    }

    /// <summary>
    /// How long to wait at most for the cache to show the last write announced for <paramref name="key"/>;
    /// null when it shows it (or the patience ran out: a newer change by someone else may have come first).
    /// </summary>
    public TimeSpan? AwaitingOwnWrite(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_expected.TryGetValue(key, out var expected)) return null;
            var left = expected.Until - _time.GetUtcNow();
            if (left > TimeSpan.Zero) return left;
            _expected.Remove(key);
            return null;
        }
    }

    /// <summary>Cached objects, of one namespace or (null) all.</summary>
    public IReadOnlyList<T> List(string? @namespace = null)
    {
        lock (_gate)
            return [.. _cache.Where(e => @namespace is null || e.Key.Namespace == @namespace).Select(e => e.Value)];
    }

    /// <summary>Registers a handler; objects already cached are replayed to it as added, so none is missed.</summary>
    public void AddHandler(InformerHandler<T> handler)
    {
        T[] existing;
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            existing = [.. _cache.Values];
        }
        foreach (var obj in existing) Notify(h => h.Added?.Invoke(obj), [handler]);
    }

    /// <summary>Lists and watches until cancelled; never throws for API failures (they are logged and retried).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.InitialBackoff;
        var relist = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (relist)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    relist = false;
                }
                var (ending, events) = await WatchAsync(cancellationToken).ConfigureAwait(false);
                switch (ending)
                {
                    case WatchEnding.Expired:
                        _logger.LogInformation("Watch of {Kind} at resourceVersion {ResourceVersion} expired (410 Gone); listing again", Client.Kind, ResourceVersion);
                        relist = true;
                        break;
                    case WatchEnding.Silent:
                        Interlocked.Increment(ref _watchdogRestarts);
                        _logger.LogWarning("Watch of {Kind} was silent for {Timeout}; restarting it", Client.Kind, _options.WatchdogTimeout);
                        break;
                }
                // A watch the server closes at once, again and again, must not become a busy loop.
                if (events > 0 || ending != WatchEnding.Closed) backoff = _options.InitialBackoff;
                else await DelayAsync(ref backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                relist = true;
            }
            catch (Exception e)
            {
                // An API answer (403 from a role that lacks a rule, 500) is one line naming it; anything else keeps its stack.
                if (e is HttpOperationException answer)
                    _logger.LogWarning("{Operation} of {Kind} failed: {Answer}; retrying in {Backoff}", relist ? "List" : "Watch", Client.Kind, ApiErrors.Message(answer), backoff);
                else
                    _logger.LogWarning(e, "{Operation} of {Kind} failed; retrying in {Backoff}", relist ? "List" : "Watch", Client.Kind, backoff);
                try
                {
                    await DelayAsync(ref backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private Task DelayAsync(ref TimeSpan backoff, CancellationToken cancellationToken)
    {
        var delay = backoff;
        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        return Task.Delay(delay, _time, cancellationToken);
    }

    // Replaces the cache with a fresh list and reports the differences, including deletes the watch missed.
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var list = await Client.ListAsync(cancellationToken).ConfigureAwait(false);
        var added = new List<T>();
        var updated = new List<(T Old, T New)>();
        List<T> deleted;
        InformerHandler<T>[] handlers;
        lock (_gate)
        {
            var fresh = list.Items.ToDictionary(ObjectKey.Of);
            foreach (var (key, obj) in fresh)
            {
                if (!_cache.TryGetValue(key, out var old)) added.Add(obj);
                else if (old.Metadata.ResourceVersion != obj.Metadata.ResourceVersion) updated.Add((old, obj));
            }
            deleted = [.. _cache.Where(e => !fresh.ContainsKey(e.Key)).Select(e => e.Value)];
            _cache.Clear();
            foreach (var (key, obj) in fresh) _cache[key] = obj;
            foreach (var key in _expected.Keys.Where(k => !fresh.TryGetValue(k, out var obj) || obj.Metadata.ResourceVersion == _expected[k].ResourceVersion).ToList())
                _expected.Remove(key);
            _resourceVersion = list.ResourceVersion;
            handlers = _handlers;
        }
        _synced.TrySetResult();
        foreach (var obj in added) Notify(h => h.Added?.Invoke(obj), handlers);
        foreach (var (old, obj) in updated) Notify(h => h.Updated?.Invoke(old, obj), handlers);
        foreach (var obj in deleted) Notify(h => h.Deleted?.Invoke(obj), handlers);
    }

    private async Task<(WatchEnding Ending, int Events)> WatchAsync(CancellationToken cancellationToken)
    {
        using var watchdog = new CancellationTokenSource(_options.WatchdogTimeout, _time);
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        Exception? error = null;
        var events = 0;
        try
        {
            await foreach (var (type, obj) in Client.WatchAsync(ResourceVersion, _options.WatchTimeoutSeconds, e => error = e, watch.Token).ConfigureAwait(false))
            {
                watchdog.CancelAfter(_options.WatchdogTimeout);
                events++;
                Apply(type, obj);
                if (IsExpired(error)) return (WatchEnding.Expired, events);
            }
        }
        catch (Exception) when (watchdog.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (WatchEnding.Silent, events);
        }
        if (IsExpired(error)) return (WatchEnding.Expired, events);
        if (error is not null) throw error;
        return (WatchEnding.Closed, events);
    }

    private static bool IsExpired(Exception? error) =>
        error is KubernetesException { Status.Code: (int)HttpStatusCode.Gone }
        || error is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone };

    private void Apply(WatchEventType type, T obj)
    {
        T? old = null;
        InformerHandler<T>[] handlers;
        lock (_gate)
        {
            if (obj.Metadata.ResourceVersion is { Length: > 0 } rv) _resourceVersion = rv;
            handlers = _handlers;
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    _cache.TryGetValue(ObjectKey.Of(obj), out old);
                    _cache[ObjectKey.Of(obj)] = obj;
                    if (_expected.TryGetValue(ObjectKey.Of(obj), out var expected) && expected.ResourceVersion == obj.Metadata.ResourceVersion)
                        _expected.Remove(ObjectKey.Of(obj));
                    break;
                case WatchEventType.Deleted:
                    _cache.Remove(ObjectKey.Of(obj));
                    _expected.Remove(ObjectKey.Of(obj));
                    break;
                default:
                    return; // bookmarks carry only a resourceVersion, which moved on above
            }
        }
        if (type == WatchEventType.Deleted) Notify(h => h.Deleted?.Invoke(obj), handlers);
        else if (old is null) Notify(h => h.Added?.Invoke(obj), handlers);
        else Notify(h => h.Updated?.Invoke(old, obj), handlers);
    }

    private void Notify(Action<InformerHandler<T>> call, InformerHandler<T>[] handlers)
    {
        foreach (var handler in handlers)
        {
            try
            {
                call(handler);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "An event handler for {Kind} failed", Client.Kind);
            }
        }
    }

    private enum WatchEnding { Closed, Expired, Silent }
}
