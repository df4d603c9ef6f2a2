using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Tests.Runtime;

/// <summary>A tiny test-only custom resource with a status subresource, so runtime tests need no operator CRD.</summary>
[KubernetesEntity(Group = "test.fibackup.io", ApiVersion = "v1", Kind = "Widget", PluralName = "widgets")]
public sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "test.fibackup.io/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "Widget";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public WidgetSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public WidgetStatus? Status { get; set; }

    public static ResourceKind<Widget> ResourceKind { get; } = ResourceKind<Widget>.FromEntity();

    public const string CrdYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.test.fibackup.io}
        spec:
          group: test.fibackup.io
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  status: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    public static Widget New(string name, string size = "small", string @namespace = "default") =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace }, Spec = new WidgetSpec { Size = size } };
}

public sealed class WidgetSpec
{
    [JsonPropertyName("size")] public string? Size { get; set; }
}

public sealed class WidgetStatus
{
    [JsonPropertyName("phase")] public string? Phase { get; set; }
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition>? Conditions { get; set; }
}
