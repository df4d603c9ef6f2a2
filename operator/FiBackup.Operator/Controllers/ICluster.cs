using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Controllers;

/// <summary>
/// What the fi-backup controllers read and write in the cluster. Reads come from the informers'
/// caches (level-triggered: a reconcile looks at the world as it is now); writes go to the API
/// server. The operator writes only statuses, finalizers, its own objects (VmBackups it makes)
/// and Events — never a user's spec.
/// </summary>
public interface ICluster
{
    /// <summary>A copy of the cached object, the reconciler's to change (its status is then written).</summary>
    T? Get<T>(ObjectKey key) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>The object as the API server has it now, bypassing the cache (null when gone).</summary>
    Task<T?> GetLatestAsync<T>(ObjectKey key, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>The cache's own objects, to read and never to change (copying thousands per reconcile costs too much).</summary>
    IReadOnlyList<T> List<T>(string @namespace) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Creates the object; false when one of that name already exists (a restart re-running a slot).</summary>
    Task<bool> CreateAsync<T>(T obj, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    Task DeleteAsync<T>(ObjectKey key, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>One merge patch of what changed between <paramref name="before"/> and the object's status now; nothing when equal.</summary>
    Task PatchStatusAsync<T>(T obj, string before, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>The status as JSON, to compare against at the end of a reconcile.</summary>
    string SnapshotStatus<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>;

    Task AddFinalizerAsync<T>(T obj, string finalizer, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    Task RemoveFinalizerAsync<T>(T obj, string finalizer, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Drops the owner reference to <paramref name="ownerUid"/> (orphaning, as deletionPolicy Retain asks).</summary>
    Task RemoveOwnerReferenceAsync<T>(T obj, string ownerUid, CancellationToken ct) where T : class, IKubernetesObject<V1ObjectMeta>;

    Task<V1PersistentVolumeClaim?> ReadClaimAsync(string @namespace, string name, CancellationToken ct);

    /// <summary>Records an Event on the object; repeated ones are counted, not duplicated. Never throws.</summary>
    void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message);
}
