using k8s;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>One list response: the items and the resourceVersion a watch continues from.</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion)
    where T : class, IKubernetesObject<V1ObjectMeta>;

/// <summary>The shape of any Kubernetes list body, for reading CustomObjects API responses into typed items.</summary>
internal sealed class ListBody<T>
{
    public V1ListMeta? Metadata { get; set; }
    public List<T>? Items { get; set; }
}
