using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FiBackup.Operator.Runtime;

/// <summary>Normal for progress users may want to see, Warning for what they should act on (core/v1 Event type).</summary>
public enum EventType { Normal, Warning }

/// <summary>
/// Writes core/v1 Events about objects, as `kubectl describe` shows them. Like client-go's correlator, the
/// same object, type, reason and message within <see cref="Window"/> bumps the existing Event's count and
/// lastTimestamp instead of creating another, so a reconcile loop cannot flood the namespace. Recording never
/// throws: an Event is a courtesy, and a failed one must not fail the reconcile (it is logged instead).
/// </summary>
public sealed class EventRecorder(IKubernetes kubernetes, string component = "fibackup-operator", ILogger? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Object, EventType Type, string Reason, string Message), Recorded> _recent = [];
    private readonly CancellationTokenSource _closing = new();
    private DateTimeOffset _lastForget = DateTimeOffset.MinValue;
    private long _sequence;
    private int _pending;
    private int _dropped;

    /// <summary>How long an identical event is folded into the previous one (client-go: 10 minutes).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

    public string Component { get; } = component;

    /// <summary>Which instance of the component reports (reportingInstance, source.host): the operator's identity.</summary>
    public string? Instance { get; init; }

    public Task NormalAsync(IKubernetesObject<V1ObjectMeta> obj, string reason, string message, CancellationToken cancellationToken = default) =>
        RecordAsync(obj, EventType.Normal, reason, message, cancellationToken);

    public Task WarningAsync(IKubernetesObject<V1ObjectMeta> obj, string reason, string message, CancellationToken cancellationToken = default) =>
        RecordAsync(obj, EventType.Warning, reason, message, cancellationToken);

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> obj, EventType type, string reason, string message, CancellationToken cancellationToken = default)
    {
        var meta = obj.Metadata;
        // Events of cluster-scoped objects live in "default", as client-go puts them.
        var @namespace = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        var key = (meta.Uid ?? $"{obj.Kind}/{@namespace}/{meta.Name}", type, reason, message);
        if (_closing.IsCancellationRequested) return;
        Interlocked.Increment(ref _pending);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        cancellationToken = linked.Token;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (_closing.IsCancellationRequested) Interlocked.Increment(ref _dropped);
            Interlocked.Decrement(ref _pending);
            return;
        }
        try
        {
            // Closed while this one waited its turn: never sent, so it counts as dropped.
            if (_closing.IsCancellationRequested)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }
            var now = _time.GetUtcNow();
            Forget(now);
            if (_recent.TryGetValue(key, out var recorded) && now - recorded.LastSeen < Window && await IncrementAsync(recorded, now, cancellationToken).ConfigureAwait(false) is { } incremented)
            {
                _recent[key] = incremented;
                return;
            }
            _recent[key] = await CreateAsync(obj, @namespace, type, reason, message, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (_closing.IsCancellationRequested)
        {
            // Cancelled by CloseAsync while its request was out: the API server may still have written it,
            // so it is not counted as dropped.
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not record {Type} event {Reason} for {Kind} {Namespace}/{Name}: {Message}", type, reason, obj.Kind, @namespace, meta.Name, message);
        }
        finally
        {
            _gate.Release();
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>
    /// At shutdown, before the client goes: lets the Events still queued go out for up to
    /// <paramref name="grace"/>, then drops the rest (one log line says how many) and records nothing more.
    /// Returns how many were dropped without being sent; one whose request was out when the grace ended is
    /// cancelled but not counted, as the API server may have written it.
    /// </summary>
    public async Task<int> CloseAsync(TimeSpan grace)
    {
        var deadline = _time.GetUtcNow() + grace;
        while (Volatile.Read(ref _pending) > 0 && _time.GetUtcNow() < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time).ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        // The cancellation ends every waiting and sending call at once; wait for them to count themselves.
        var settle = _time.GetUtcNow() + TimeSpan.FromSeconds(2);
        while (Volatile.Read(ref _pending) > 0 && _time.GetUtcNow() < settle)
            await Task.Delay(TimeSpan.FromMilliseconds(5), _time).ConfigureAwait(false);
        var dropped = Volatile.Read(ref _dropped);
        if (dropped > 0) _logger.LogInformation("Stopping: {Count} Events not yet written were dropped", dropped);
        return dropped;
    }

    private async Task<Recorded> CreateAsync(IKubernetesObject<V1ObjectMeta> obj, string @namespace, EventType type, string reason, string message,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = Seconds(now);
        // client-go names events "<object>.<unique hex>"; the sequence keeps two events in one tick apart.
        var name = $"{obj.Metadata.Name}.{now.UtcTicks:x}{Interlocked.Increment(ref _sequence):x}";
        await kubernetes.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = obj.ApiVersion, Kind = obj.Kind, Name = obj.Metadata.Name,
                NamespaceProperty = obj.Metadata.NamespaceProperty, Uid = obj.Metadata.Uid,
                ResourceVersion = obj.Metadata.ResourceVersion,
            },
            Reason = reason, Message = message, Type = type.ToString(),
            Source = new V1EventSource { Component = Component, Host = Instance }, ReportingComponent = Component,
            ReportingInstance = Instance,
            FirstTimestamp = at, LastTimestamp = at, Count = 1,
        }, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new Recorded(@namespace, name, 1, now);
    }

    // Null when the Event is gone (deleted or expired by the API server's TTL), so a new one is created.
    private async Task<Recorded?> IncrementAsync(Recorded recorded, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = recorded.Count + 1;
        var lastTimestamp = Seconds(now).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var patch = new V1Patch($$"""{"count":{{count}},"lastTimestamp":"{{lastTimestamp}}"}""", V1Patch.PatchType.MergePatch);
        try
        {
            await kubernetes.CoreV1.PatchNamespacedEventAsync(patch, recorded.Name, recorded.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return recorded with { Count = count, LastSeen = now };
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    // Keeps the memory bounded: entries past the window cannot be folded into any more. At most once a
    // second, not per Event: with thousands of recent keys the scan per Event showed in profiles.
    private void Forget(DateTimeOffset now)
    {
        if (now >= _lastForget && now - _lastForget < TimeSpan.FromSeconds(1)) return;
        _lastForget = now;
        foreach (var stale in _recent.Where(e => now - e.Value.LastSeen >= Window).Select(e => e.Key).ToList())
            _recent.Remove(stale);
    }

    private static DateTime Seconds(DateTimeOffset now) =>
        new(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    private sealed record Recorded(string Namespace, string Name, int Count, DateTimeOffset LastSeen);
}
