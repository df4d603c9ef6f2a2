using k8s;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// What an informer tells a controller about changes in its cache. Handlers run on the informer's loop and
/// should only enqueue keys; a handler that throws is logged and does not stop the informer.
/// </summary>
public sealed record InformerHandler<T>(Action<T>? Added = null, Action<T, T>? Updated = null, Action<T>? Deleted = null)
    where T : class, IKubernetesObject<V1ObjectMeta>;
