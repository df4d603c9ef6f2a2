using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// "One status write per reconcile" (cluster-api util/patch): <see cref="Begin"/> snapshots the status, the
/// reconciler mutates the object freely, and the end sends one JSON merge patch of the status difference to
/// the /status subresource — nothing when unchanged. The status subresource cannot change spec or metadata,
/// so a user's spec is never written (GitOps tools see no drift). The patch carries the resourceVersion the
/// status was computed from: a reconcile on a cache that lags (our own last write, say) would otherwise put
/// old values back beside new ones. A conflict throws <see cref="StaleObjectException"/>.
/// </summary>
public sealed class StatusPatcher<T>(ResourceClient<T> client, ILogger? logger = null, TimeProvider? time = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Attempts for one patch when the server answers 429 or 5xx.</summary>
    public int Attempts { get; init; } = 5;

    /// <summary>
    /// Snapshots <paramref name="obj"/>'s status; disposing the returned patch writes the difference (also when
    /// the reconcile throws, so a recorded failure reaches the user). Nothing is written once
    /// <paramref name="cancellationToken"/> is cancelled: a stopping or deposed leader must not write.
    /// </summary>
    public StatusPatch<T> Begin(T obj, CancellationToken cancellationToken = default) => new(this, obj, StatusOf(obj), cancellationToken);

    /// <summary>Sends the status difference between the two objects; returns whether a request was needed.</summary>
    public Task<bool> PatchAsync(T before, T after, CancellationToken cancellationToken = default) =>
        PatchAsync(StatusOf(before), after, cancellationToken);

    internal async Task<bool> PatchAsync(JsonNode? before, T after, CancellationToken cancellationToken)
    {
        var difference = JsonMergePatch.Diff(new JsonObject { ["status"] = before?.DeepClone() }, new JsonObject { ["status"] = StatusOf(after) });
        if (difference.Count == 0) return false;

        var key = ObjectKey.Of(after);
        difference["metadata"] = new JsonObject { ["resourceVersion"] = after.Metadata.ResourceVersion };
        var patch = new V1Patch(difference.ToJsonString(), V1Patch.PatchType.MergePatch);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var written = await client.PatchStatusAsync(key, patch, cancellationToken).ConfigureAwait(false);
                after.Metadata.ResourceVersion = written.Metadata.ResourceVersion;
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                throw new StaleObjectException(client.Kind.Kind, key, e);
            }
            catch (HttpOperationException e) when (attempt < Attempts && Retriable(e.Response.StatusCode))
            {
                _logger.LogDebug("Status patch of {Kind} {Key} answered {Status}; retrying", client.Kind, key, (int)e.Response.StatusCode);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool Retriable(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests || (int)status >= 500;

    internal static JsonNode? StatusOf(T obj) =>
        JsonNode.Parse(KubernetesJson.Serialize(obj)) is JsonObject json && json.TryGetPropertyValue("status", out var status)
            ? status?.DeepClone()
            : null;
}

/// <summary>A reconcile's pending status write; see <see cref="StatusPatcher{T}.Begin"/>.</summary>
public sealed class StatusPatch<T> : IAsyncDisposable where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly StatusPatcher<T> _patcher;
    private readonly JsonNode? _before;
    private readonly CancellationToken _cancellationToken;
    private bool _done;

    internal StatusPatch(StatusPatcher<T> patcher, T obj, JsonNode? before, CancellationToken cancellationToken)
    {
        _patcher = patcher;
        Object = obj;
        _before = before;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The object to mutate; its status is what gets written.</summary>
    public T Object { get; }

    /// <summary>Whether a status request was sent (false when nothing changed).</summary>
    public bool Sent { get; private set; }

    /// <summary>Writes the difference now (once); a failure throws, so the reconcile is retried.</summary>
    public async Task CommitAsync()
    {
        if (_done || _cancellationToken.IsCancellationRequested) return;
        _done = true;
        Sent = await _patcher.PatchAsync(_before, Object, _cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CommitAsync().ConfigureAwait(false);
}
