using System.Net;
using System.Text.Json.Nodes;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.Operator.Controllers;

/// <summary>
/// <see cref="ICluster"/> over the informers' caches (reads) and the API server (writes).
/// Metadata and status writes carry the resourceVersion read, so a concurrent change (or a cache
/// that lags our own last write) makes them fail with 409 and the reconcile is retried on fresh data.
/// </summary>
public sealed class KubeCluster(IKubernetes client, IReadOnlyDictionary<Type, object> informers, EventRecorder events) : ICluster
{
    private Informer<T> InformerOf<T>() where T : class, IKubernetesObject<V1ObjectMeta> =>
        (Informer<T>)(informers.GetValueOrDefault(typeof(T)) ?? throw new InvalidOperationException($"no informer for {typeof(T).Name}"));

    private ResourceClient<T> ClientOf<T>() where T : class, IKubernetesObject<V1ObjectMeta> => InformerOf<T>().Client;

    // A copy: a reconcile changes the status of what it got, and the cache must keep what the server said
    // (a cache holding our unsent changes would hide them from the next status difference).
    public T? Get<T>(ObjectKey key) where T : class, IKubernetesObject<V1ObjectMeta> =>
        InformerOf<T>().Get(key) is { } cached ? KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(cached)) : null;

    public Task<T?> GetLatestAsync<T>(ObjectKey key, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta> =>
        ClientOf<T>().GetAsync(key, ct);

    public IReadOnlyList<T> List<T>(string @namespace) where T : class, IKubernetesObject<V1ObjectMeta> => InformerOf<T>().List(@namespace);

    public async Task<bool> CreateAsync<T>(T obj, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            await ApiErrors.RetryTransientAsync(() => ClientOf<T>().CreateAsync(obj, ct), ct);
            return true;
        }
        catch (HttpOperationException e) when (ApiErrors.IsAlreadyExists(e))
        {
            return false;
        }
    }

    public async Task DeleteAsync<T>(ObjectKey key, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta> =>
        await ClientOf<T>().DeleteAsync(key, ct);

    public string SnapshotStatus<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        StatusOf(obj)?.ToJsonString() ?? "null";

    public async Task PatchStatusAsync<T>(T obj, string before, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        // The patcher moves obj's resourceVersion to the one written.
        if (await new StatusPatcher<T>(ClientOf<T>()).PatchAsync(JsonNode.Parse(before), obj, ct))
            InformerOf<T>().ExpectWrite(obj);
    }

    public async Task AddFinalizerAsync<T>(T obj, string finalizer, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Refresh(obj, await ClientOf<T>().AddFinalizerAsync(obj, finalizer, ct));

    public async Task RemoveFinalizerAsync<T>(T obj, string finalizer, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Refresh(obj, await ClientOf<T>().RemoveFinalizerAsync(obj, finalizer, ct));

    public async Task RemoveOwnerReferenceAsync<T>(T obj, string ownerUid, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var owners = obj.Metadata.OwnerReferences ?? [];
        if (owners.All(o => o.Uid != ownerUid)) return;
        var kept = new JsonArray(owners.Where(o => o.Uid != ownerUid).Select(o => JsonNode.Parse(KubernetesJson.Serialize(o))).ToArray());
        await PatchMetadataAsync(obj, new JsonObject { ["ownerReferences"] = kept }, ct);
    }

    public async Task<V1PersistentVolumeClaim?> ReadClaimAsync(string @namespace, string name, CancellationToken ct)
    {
        // From the claims informer when the host runs one (a third of all requests otherwise).
        if (informers.TryGetValue(typeof(V1PersistentVolumeClaim), out var claims))
            return ((Informer<V1PersistentVolumeClaim>)claims).Get(@namespace, name);
        try
        {
            return await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, @namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message) =>
        _ = events.RecordAsync(obj, type == "Warning" ? EventType.Warning : EventType.Normal, reason, message);

    private async Task PatchMetadataAsync<T>(T obj, JsonObject metadata, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        metadata["resourceVersion"] = obj.Metadata.ResourceVersion;
        var body = new JsonObject { ["metadata"] = metadata };
        Refresh(obj, await ClientOf<T>().PatchAsync(ObjectKey.Of(obj), new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch), ct));
    }

    /// <summary>
    /// Later writes in the same reconcile need the new resourceVersion and metadata. An object from
    /// <see cref="List{T}"/> is the cache's own and stays as the server last said: a newer
    /// resourceVersion on its older status would defeat the conflict check of the next status write.
    /// </summary>
    private void Refresh<T>(T obj, T updated) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        InformerOf<T>().ExpectWrite(updated);
        if (ReferenceEquals(InformerOf<T>().Get(ObjectKey.Of(obj)), obj)) return;
        obj.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
        obj.Metadata.Finalizers = updated.Metadata.Finalizers;
        obj.Metadata.OwnerReferences = updated.Metadata.OwnerReferences;
    }

    private static JsonNode? StatusOf<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        JsonNode.Parse(KubernetesJson.Serialize(obj))?["status"]?.DeepClone();
}
