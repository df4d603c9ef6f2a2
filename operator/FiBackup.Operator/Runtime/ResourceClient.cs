using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Typed list/watch/get/create/patch/delete for one kind, custom or built-in, through KubernetesClient's
/// CustomObjects API (the path is /apis/group/version/[namespaces/ns/]plural; KubernetesClient maps the core
/// group's "/apis//v1" to "/api/v1"). <see cref="Namespace"/> limits lists and watches to one namespace
/// (the operator's --namespace); null means all namespaces.
/// </summary>
public sealed class ResourceClient<T>(IKubernetes kubernetes, ResourceKind<T> kind, string? @namespace = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public ResourceKind<T> Kind { get; } = kind;

    /// <summary>The namespace lists and watches cover; null for all namespaces (or a cluster-scoped kind).</summary>
    public string? Namespace { get; } = kind.Namespaced ? @namespace : null;

    public IKubernetes Kubernetes { get; } = kubernetes;

    public async Task<ResourceList<T>> ListAsync(CancellationToken cancellationToken = default)
    {
        using var response = Namespace is null
            ? await Kubernetes.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(
                Kind.Group, Kind.Version, Kind.Plural, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await Kubernetes.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                Kind.Group, Kind.Version, Namespace, Kind.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = KubernetesJson.Deserialize<ListBody<T>>(response.Body.ToString()!);
        var items = body.Items ?? [];
        // List items come without apiVersion/kind; event recorders and owner references need them.
        foreach (var item in items) Stamp(item);
        return new ResourceList<T>(items, body.Metadata?.ResourceVersion ?? "");
    }

    /// <summary>
    /// One watch from <paramref name="resourceVersion"/> with bookmarks. An ERROR event (e.g. 410 Expired) is
    /// handed to <paramref name="onError"/> as a <see cref="KubernetesException"/> carrying the Status.
    /// </summary>
    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, int? timeoutSeconds, Action<Exception> onError,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = Namespace is null
            ? Kubernetes.CustomObjects.WatchListClusterCustomObjectAsync(
                Kind.Group, Kind.Version, Kind.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken)
            : Kubernetes.CustomObjects.WatchListNamespacedCustomObjectAsync(
                Kind.Group, Kind.Version, Namespace, Kind.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, body) in events.ConfigureAwait(false))
            yield return (type, Read(body));
    }

    /// <summary>The object, or null when it does not exist (404).</summary>
    public async Task<T?> GetAsync(string? @namespace, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var body = Kind.Namespaced
                ? await Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync(
                    Kind.Group, Kind.Version, Required(@namespace), Kind.Plural, name, cancellationToken).ConfigureAwait(false)
                : await Kubernetes.CustomObjects.GetClusterCustomObjectAsync(
                    Kind.Group, Kind.Version, Kind.Plural, name, cancellationToken).ConfigureAwait(false);
            return Read(body);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<T?> GetAsync(ObjectKey key, CancellationToken cancellationToken = default) =>
        GetAsync(key.Namespace, key.Name, cancellationToken);

    public async Task<T> CreateAsync(T obj, CancellationToken cancellationToken = default)
    {
        Stamp(obj);
        var body = Kind.Namespaced
            ? await Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync(
                obj, Kind.Group, Kind.Version, Required(obj.Metadata.NamespaceProperty), Kind.Plural,
                cancellationToken: cancellationToken).ConfigureAwait(false)
            : await Kubernetes.CustomObjects.CreateClusterCustomObjectAsync(
                obj, Kind.Group, Kind.Version, Kind.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Read(body);
    }

    /// <summary>A patch of the main resource; operator code only changes finalizers this way .</summary>
    public async Task<T> PatchAsync(ObjectKey key, V1Patch patch, CancellationToken cancellationToken = default)
    {
        var body = Kind.Namespaced
            ? await Kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync(
                patch, Kind.Group, Kind.Version, Required(key.Namespace), Kind.Plural, key.Name,
                cancellationToken: cancellationToken).ConfigureAwait(false)
            : await Kubernetes.CustomObjects.PatchClusterCustomObjectAsync(
                patch, Kind.Group, Kind.Version, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Read(body);
    }

    /// <summary>A patch of the /status subresource, which cannot touch spec or metadata.</summary>
    public async Task<T> PatchStatusAsync(ObjectKey key, V1Patch patch, CancellationToken cancellationToken = default)
    {
        var body = Kind.Namespaced
            ? await Kubernetes.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                patch, Kind.Group, Kind.Version, Required(key.Namespace), Kind.Plural, key.Name,
                cancellationToken: cancellationToken).ConfigureAwait(false)
            : await Kubernetes.CustomObjects.PatchClusterCustomObjectStatusAsync(
                patch, Kind.Group, Kind.Version, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Read(body);
    }

    /// <summary>Deletes the object; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(ObjectKey key, CancellationToken cancellationToken = default)
    {
        try
        {
            if (Kind.Namespaced)
                await Kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(
                    Kind.Group, Kind.Version, Required(key.Namespace), Kind.Plural, key.Name,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            else
                await Kubernetes.CustomObjects.DeleteClusterCustomObjectAsync(
                    Kind.Group, Kind.Version, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private T Read(object body) => Stamp(KubernetesJson.Deserialize<T>(body.ToString()!));

    private T Stamp(T obj)
    {
        obj.ApiVersion ??= Kind.ApiVersion;
        obj.Kind ??= Kind.Kind;
        return obj;
    }

    private string Required(string? @namespace) => string.IsNullOrEmpty(@namespace)
        ? throw new ArgumentException($"{Kind} is namespaced: the object key needs a namespace.")
        : @namespace;
}
