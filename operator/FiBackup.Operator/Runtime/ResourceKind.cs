using System.Reflection;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Where the API server serves a kind: group ("" for core/v1), version, plural and whether it is namespaced.
/// Custom resources and built-ins are described the same way, so one client and one informer serve both.
/// </summary>
public sealed record ResourceKind<T>(string Group, string Version, string Plural, string Kind, bool Namespaced)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>"v1" for the core group, "group/version" otherwise (what an object's apiVersion says).</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>
    /// Reads group, version, kind and plural from the type's [KubernetesEntity] attribute, which KubernetesClient's
    /// models carry and our CRD types carry too; the attribute cannot say the scope, so the caller does.
    /// </summary>
    public static ResourceKind<T> FromEntity(bool namespaced = true)
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no [KubernetesEntity] attribute; describe it with new ResourceKind<{typeof(T).Name}>(...).");
        return new ResourceKind<T>(entity.Group ?? "", entity.ApiVersion, entity.PluralName, entity.Kind, namespaced);
    }

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
