using System.Text.Json.Nodes;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Tests.Controllers;

/// <summary>
/// An in-memory <see cref="ICluster"/> that behaves like the API server: reads return copies of what
/// is stored, creates assign a UID and a creation time, status patches replace only the status, and
/// every write and Event is recorded for the test to look at.
/// </summary>
public sealed class FakeCluster(TimeProvider time) : ICluster
{
    private readonly Dictionary<(Type, string?, string), string> objects = [];

    public List<(string Kind, string Name)> Creates { get; } = [];
    public List<(string Name, string Patch)> StatusPatches { get; } = [];

    /// <summary>The spec of every object whose status was patched, as the reconciler held it then.</summary>
    public List<(string Name, string Spec)> SpecsAtPatch { get; } = [];
    public List<(string Name, string Type, string Reason, string Message)> Events { get; } = [];
    public Dictionary<string, V1PersistentVolumeClaim> Claims { get; } = [];

    public IEnumerable<(string Type, string Reason, string Message)> EventsOf(string name) =>
        Events.Where(e => e.Name == name).Select(e => (e.Type, e.Reason, e.Message));

    /// <summary>Stores an object as a user's kubectl apply would (UID and creation time filled when missing).</summary>
    public Task<T?> GetLatestAsync<T>(ObjectKey key, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Task.FromResult(Get<T>(key));

    public T Put<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.Uid ??= Guid.NewGuid().ToString();
        obj.Metadata.CreationTimestamp ??= time.GetUtcNow().UtcDateTime;
        obj.Metadata.Generation ??= 1;
        objects[Key<T>(obj.Metadata.NamespaceProperty, obj.Metadata.Name)] = KubernetesJson.Serialize(obj);
        return Copy(obj);
    }

    public void BoundClaim(string @namespace, string name) =>
        Claims[$"{@namespace}/{name}"] = new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace },
            Status = new V1PersistentVolumeClaimStatus { Phase = "Bound" },
        };

    public T? Get<T>(ObjectKey key) where T : class, IKubernetesObject<V1ObjectMeta> =>
        objects.TryGetValue(Key<T>(key.Namespace, key.Name), out var json) ? KubernetesJson.Deserialize<T>(json) : null;

    public IReadOnlyList<T> List<T>(string @namespace) where T : class, IKubernetesObject<V1ObjectMeta> =>
        objects.Where(o => o.Key.Item1 == typeof(T) && o.Key.Item2 == @namespace)
            .OrderBy(o => o.Key.Item3, StringComparer.Ordinal)
            .Select(o => KubernetesJson.Deserialize<T>(o.Value)).ToList();

    public Task<bool> CreateAsync<T>(T obj, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var key = Key<T>(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        if (objects.ContainsKey(key)) return Task.FromResult(false);
        var stored = Copy(obj);
        stored.Metadata.Uid = Guid.NewGuid().ToString();
        stored.Metadata.CreationTimestamp = time.GetUtcNow().UtcDateTime;
        stored.Metadata.Generation = 1;
        objects[key] = KubernetesJson.Serialize(stored);
        Creates.Add((typeof(T).Name, obj.Metadata.Name));
        return Task.FromResult(true);
    }

    public Task DeleteAsync<T>(ObjectKey key, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        objects.Remove(Key<T>(key.Namespace, key.Name));
        return Task.CompletedTask;
    }

    public string SnapshotStatus<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        StatusOf(obj)?.ToJsonString() ?? "null";

    /// <summary>The next status patch answers as the API server does to one computed from a stale copy (409).</summary>
    public bool RefuseNextStatusPatch { get; set; }

    public Task PatchStatusAsync<T>(T obj, string before, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (RefuseNextStatusPatch)
        {
            RefuseNextStatusPatch = false;
            throw new StaleObjectException(typeof(T).Name, ObjectKey.Of(obj), new InvalidOperationException("409 Conflict"));
        }
        var patch = JsonMergePatch.Diff(new JsonObject { ["status"] = JsonNode.Parse(before) }, new JsonObject { ["status"] = StatusOf(obj) });
        SpecsAtPatch.Add((obj.Metadata.Name, JsonNode.Parse(KubernetesJson.Serialize(obj))?["spec"]?.ToJsonString() ?? "null"));
        if (patch.Count == 0) return Task.CompletedTask;
        StatusPatches.Add((obj.Metadata.Name, patch.ToJsonString()));
        Update<T>(obj.Metadata.NamespaceProperty, obj.Metadata.Name, stored => stored["status"] = StatusOf(obj));
        return Task.CompletedTask;
    }

    public Task AddFinalizerAsync<T>(T obj, string finalizer, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.Finalizers = [.. obj.Metadata.Finalizers ?? [], finalizer];
        SetMetadata<T>(obj, "finalizers", obj.Metadata.Finalizers);
        return Task.CompletedTask;
    }

    public Task RemoveFinalizerAsync<T>(T obj, string finalizer, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.Finalizers = (obj.Metadata.Finalizers ?? []).Where(f => f != finalizer).ToList();
        SetMetadata<T>(obj, "finalizers", obj.Metadata.Finalizers);
        return Task.CompletedTask;
    }

    public Task RemoveOwnerReferenceAsync<T>(T obj, string ownerUid, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.OwnerReferences = (obj.Metadata.OwnerReferences ?? []).Where(o => o.Uid != ownerUid).ToList();
        SetMetadata<T>(obj, "ownerReferences", obj.Metadata.OwnerReferences);
        return Task.CompletedTask;
    }

    public Task<V1PersistentVolumeClaim?> ReadClaimAsync(string @namespace, string name, CancellationToken ct) =>
        Task.FromResult(Claims.GetValueOrDefault($"{@namespace}/{name}"));

    public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message) =>
        Events.Add((obj.Metadata.Name, type, reason, message));

    /// <summary>The stored object's field as JSON, to compare before and after (e.g. "spec").</summary>
    public string StoredJson<T>(string @namespace, string name, string field) where T : class, IKubernetesObject<V1ObjectMeta> =>
        JsonNode.Parse(objects[Key<T>(@namespace, name)])![field]?.ToJsonString() ?? "null";

    private void SetMetadata<T>(T obj, string field, object value) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Update<T>(obj.Metadata.NamespaceProperty, obj.Metadata.Name,
            stored => stored["metadata"]![field] = JsonNode.Parse(KubernetesJson.Serialize(value)));

    private void Update<T>(string? @namespace, string name, Action<JsonObject> change)
    {
        var key = Key<T>(@namespace, name);
        var node = JsonNode.Parse(objects[key])!.AsObject();
        change(node);
        objects[key] = node.ToJsonString();
    }

    private static (Type, string?, string) Key<T>(string? @namespace, string name) => (typeof(T), @namespace, name);

    private static JsonNode? StatusOf<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        JsonNode.Parse(KubernetesJson.Serialize(obj))?["status"]?.DeepClone();

    private static T Copy<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta> =>
        KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
