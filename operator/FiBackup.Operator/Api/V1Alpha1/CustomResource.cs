using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>
/// What the three kinds share: metadata, a spec the user owns (the operator never writes it), and a
/// status the operator owns (written only through the status subresource).
/// </summary>
public abstract class CustomResource<TSpec, TStatus> : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>, IStatus<TStatus?>
    where TSpec : class
    where TStatus : class
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = default!;

    [JsonPropertyName("status")]
    public TStatus? Status { get; set; }

    [JsonIgnore]
    public string Namespace => Metadata.NamespaceProperty;

    [JsonIgnore]
    public string Name => Metadata.Name;
}

/// <summary>What every status carries: the generation it describes and standard conditions.</summary>
public abstract class ResourceStatus
{
    [System.ComponentModel.Description("The metadata.generation this status describes.")]
    public long? ObservedGeneration { get; set; }

    [System.ComponentModel.Description("Standard conditions (type, status, reason, message, lastTransitionTime).")]
    [Schema.ListMapKeys("type")]
    public List<V1Condition> Conditions { get; set; } = [];
}
