using System.Text.Json;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// The one write the operator makes outside status: adding or removing its finalizer. A JSON patch that
/// first tests metadata.resourceVersion, so it applies only to the object as read (a stale copy fails, and
/// the reconcile retries on a fresh read) and touches nothing but metadata.finalizers.
/// </summary>
public static class Finalizers
{
    public static bool HasFinalizer(this IKubernetesObject<V1ObjectMeta> obj, string finalizer) =>
        obj.Metadata.Finalizers?.Contains(finalizer) == true;

    /// <summary>Adds the finalizer (no request when present); returns the object as written.</summary>
    public static async Task<T> AddFinalizerAsync<T>(this ResourceClient<T> client, T obj, string finalizer, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (obj.HasFinalizer(finalizer)) return obj;
        object add = obj.Metadata.Finalizers is null
            ? new { op = "add", path = "/metadata/finalizers", value = new[] { finalizer } }
            : new { op = "add", path = "/metadata/finalizers/-", value = finalizer };
        return await SendAsync(client, obj, [add], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the finalizer (no request when absent); returns the object as written.</summary>
    public static async Task<T> RemoveFinalizerAsync<T>(this ResourceClient<T> client, T obj, string finalizer, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var index = obj.Metadata.Finalizers?.IndexOf(finalizer) ?? -1;
        if (index < 0) return obj;
        object[] remove =
        [
            new { op = "test", path = $"/metadata/finalizers/{index}", value = finalizer },
            new { op = "remove", path = $"/metadata/finalizers/{index}" },
        ];
        return await SendAsync(client, obj, remove, cancellationToken).ConfigureAwait(false);
    }

    private static Task<T> SendAsync<T>(ResourceClient<T> client, T obj, object[] operations, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        object[] patch = [new { op = "test", path = "/metadata/resourceVersion", value = obj.Metadata.ResourceVersion }, .. operations];
        return client.PatchAsync(ObjectKey.Of(obj), new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.JsonPatch), cancellationToken);
    }
}
