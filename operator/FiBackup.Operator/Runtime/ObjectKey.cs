using k8s;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Which object a reconcile is about: namespace (null for cluster-scoped kinds) and name. Watch events only
/// carry keys into the work queue; the reconciler re-reads the object itself (level-triggered).
/// </summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> obj) =>
        new(string.IsNullOrEmpty(obj.Metadata?.NamespaceProperty) ? null : obj.Metadata.NamespaceProperty,
            obj.Metadata?.Name ?? throw new ArgumentException("The object has no metadata.name.", nameof(obj)));

    /// <summary>"namespace/name" as kubectl and client-go print keys; just "name" when cluster-scoped.</summary>
    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
