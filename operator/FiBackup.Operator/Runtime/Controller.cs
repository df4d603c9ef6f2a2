using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Runs one reconciler over a work queue fed by informers, as a controller-runtime controller: the primary
/// kind's changes enqueue its own key (<see cref="For{T}"/>), other kinds map to primary keys
/// (<see cref="Owns{T}"/> through ownerReferences, <see cref="Watches{T}"/> through any function).
/// Success forgets the key's failures (and requeues when asked), an exception retries it with backoff, a
/// <see cref="TerminalException"/> drops it. Informers run on their own; the controller only reconciles
/// while <see cref="RunAsync"/> runs (e.g. while leading), starting with every primary object.
/// </summary>
public sealed class Controller(string name, IReconciler reconciler, ControllerOptions? options = null, ILogger? logger = null)
{
    private readonly ControllerOptions _options = options ?? new ControllerOptions();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly List<Func<CancellationToken, Task>> _syncs = [];
    private readonly List<Func<IEnumerable<ObjectKey>>> _primaryKeys = [];
    private string? _primaryApiVersion;
    private string? _primaryKind;
    private Func<ObjectKey, TimeSpan?> _awaitingOwnWrite = _ => null;
    private volatile WorkQueue? _queue;
    private long _reconcileErrors;

    public string Name { get; } = name;

    /// <summary>Reconciles that threw (terminal failures included), for the reconcile-errors metric.</summary>
    public long ReconcileErrors => Interlocked.Read(ref _reconcileErrors);

    /// <summary>Called after each failed reconcile with the key and the exception (metrics, tests).</summary>
    public event Action<ObjectKey, Exception>? ReconcileFailed;

    /// <summary>The queue of the current run; null while the controller is not running.</summary>
    public WorkQueue? Queue => _queue;

    /// <summary>The kind this controller reconciles: its changes enqueue their own keys.</summary>
    public Controller For<T>(Informer<T> informer) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (_primaryKind is not null) throw new InvalidOperationException($"Controller {Name} already reconciles {_primaryKind}.");
        _primaryApiVersion = informer.Client.Kind.ApiVersion;
        _primaryKind = informer.Client.Kind.Kind;
        _primaryKeys.Add(() => informer.List().Select(ObjectKey.Of));
        _awaitingOwnWrite = informer.AwaitingOwnWrite;
        return Watches(informer, obj => [ObjectKey.Of(obj)]);
    }

    /// <summary>Objects the primary kind owns: a change enqueues each owner named in their ownerReferences.</summary>
    public Controller Owns<T>(Informer<T> informer) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (_primaryKind is null) throw new InvalidOperationException($"Controller {Name}: call For() before Owns().");
        var apiVersion = _primaryApiVersion;
        var kind = _primaryKind;
        // Owner references carry no namespace: an owner is always in its dependent's namespace.
        return Watches(informer, obj => (obj.Metadata.OwnerReferences ?? [])
            .Where(o => o.Kind == kind && o.ApiVersion == apiVersion)
            .Select(o => new ObjectKey(obj.Metadata.NamespaceProperty, o.Name)));
    }

    /// <summary>Any other kind: <paramref name="map"/> says which primary keys a change of it concerns.</summary>
    public Controller Watches<T>(Informer<T> informer, Func<T, IEnumerable<ObjectKey>> map) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        _syncs.Add(informer.WaitForSyncAsync);
        void Enqueue(T obj)
        {
            if (_queue is not { } queue) return;
            foreach (var key in map(obj)) queue.Add(key);
        }
        informer.AddHandler(new InformerHandler<T>(Enqueue, (old, now) => { Enqueue(old); Enqueue(now); }, Enqueue));
        return this;
    }

    /// <summary>
    /// Waits for every informer's first list, enqueues every primary object, and reconciles with N workers until
    /// cancelled. Cancelling stops handing out keys and cancels in-flight reconciles; it returns when they end.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var queue = new WorkQueue(_options.Time, _options.Backoff ?? new ItemBackoff());
        _queue = queue;
        try
        {
            await Task.WhenAll(_syncs.Select(sync => sync(cancellationToken))).ConfigureAwait(false);
            foreach (var keys in _primaryKeys)
                foreach (var key in keys()) queue.Add(key);
            _logger.LogInformation("Controller {Controller} started with {Workers} workers", Name, _options.Workers);
            using var stop = cancellationToken.Register(queue.ShutDown);
            var workers = Enumerable.Range(0, Math.Max(1, _options.Workers))
                .Select(_ => Task.Run(() => WorkAsync(queue, cancellationToken), CancellationToken.None));
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue = null;
            queue.ShutDown();
            _logger.LogInformation("Controller {Controller} stopped", Name);
        }
    }

    private async Task WorkAsync(WorkQueue queue, CancellationToken cancellationToken)
    {
        while (await queue.GetAsync().ConfigureAwait(false) is { } key)
        {
            try
            {
                // The cache does not show our own last write of this object yet: its watch event enqueues the
                // key again when it comes (the deadline is a fallback), and this reconcile would only be refused.
                if (_awaitingOwnWrite(key) is { } wait)
                {
                    queue.AddAfter(key, wait);
                    continue;
                }
                var result = await reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
                queue.Forget(key);
                if (result.RequeueDelay is { } delay) queue.AddAfter(key, delay);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping (shutdown or lost leadership): the next leader reconciles this key from scratch.
            }
            catch (StaleObjectException e)
            {
                _logger.LogDebug("Reconcile of {Controller} {Key}: {Message}", Name, key, e.Message);
                queue.AddRateLimited(key);
            }
            catch (TerminalException e)
            {
                Failed(key, e);
                _logger.LogError("Reconcile of {Controller} {Key} failed and will not be retried: {Message}", Name, key, e.Message);
                queue.Forget(key);
            }
            catch (Exception e)
            {
                Failed(key, e);
                _logger.LogError(e, "Reconcile of {Controller} {Key} failed; retrying with backoff (attempt {Attempt})", Name, key, queue.Requeues(key) + 1);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private void Failed(ObjectKey key, Exception e)
    {
        Interlocked.Increment(ref _reconcileErrors);
        try
        {
            ReconcileFailed?.Invoke(key, e);
        }
        catch (Exception callback)
        {
            _logger.LogError(callback, "A ReconcileFailed callback of {Controller} threw", Name);
        }
    }
}
