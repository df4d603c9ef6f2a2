using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Validation;

/// <summary>
/// A CRD openAPIV3Schema node with the parts kube-apiserver acts on: types, value validations,
/// defaults and the x-kubernetes-* extensions that steer pruning.
/// </summary>
public sealed class StructuralSchema
{
    public string? Type { get; private init; }
    public string? Format { get; private init; }
    public bool Nullable { get; private init; }
    public bool IntOrString { get; private init; }
    public bool PreserveUnknownFields { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public IReadOnlyDictionary<string, StructuralSchema> Properties { get; private init; } = new Dictionary<string, StructuralSchema>();
    public StructuralSchema? AdditionalProperties { get; private init; }
    public StructuralSchema? Items { get; private init; }
    public IReadOnlyList<string> Required { get; private init; } = [];
    public JsonArray? Enum { get; private init; }
    public string? Pattern { get; private init; }
    public Regex? PatternRegex { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public double? MultipleOf { get; private init; }
    public JsonNode? Default { get; private init; }
    public IReadOnlyList<StructuralSchema> AllOf { get; private init; } = [];
    public IReadOnlyList<StructuralSchema> AnyOf { get; private init; } = [];
    public IReadOnlyList<StructuralSchema> OneOf { get; private init; } = [];
    public StructuralSchema? Not { get; private init; }
    public string? ListType { get; private init; }
    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];

    /// <summary>True where unknown fields are kept: preserve-unknown-fields, or an object without a property list.</summary>
    public bool KeepsUnknownFields => PreserveUnknownFields;

    public static StructuralSchema Parse(JsonObject node)
    {
        StructuralSchema? Child(string name) => node[name] is JsonObject o ? Parse(o) : null;
        IReadOnlyList<StructuralSchema> Children(string name) =>
            node[name] is JsonArray a ? a.OfType<JsonObject>().Select(Parse).ToList() : [];

        var pattern = node.GetString("pattern");
        return new StructuralSchema
        {
            Type = node.GetString("type"),
            Format = node.GetString("format"),
            Nullable = Bool(node, "nullable"),
            IntOrString = Bool(node, "x-kubernetes-int-or-string"),
            PreserveUnknownFields = Bool(node, "x-kubernetes-preserve-unknown-fields"),
            EmbeddedResource = Bool(node, "x-kubernetes-embedded-resource"),
            Properties = node["properties"] is JsonObject props
                ? props.Where(p => p.Value is JsonObject).ToDictionary(p => p.Key, p => Parse((JsonObject)p.Value!))
                : new Dictionary<string, StructuralSchema>(),
            AdditionalProperties = Child("additionalProperties"),
            Items = Child("items"),
            Required = node["required"] is JsonArray req ? req.Select(r => r?.ToString() ?? "").ToList() : [],
            Enum = node["enum"] as JsonArray,
            Pattern = pattern,
            PatternRegex = pattern is null ? null : new Regex(pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant),
            Minimum = Number(node, "minimum"),
            Maximum = Number(node, "maximum"),
            ExclusiveMinimum = Bool(node, "exclusiveMinimum"),
            ExclusiveMaximum = Bool(node, "exclusiveMaximum"),
            MinLength = node.GetInt64("minLength"),
            MaxLength = node.GetInt64("maxLength"),
            MinItems = node.GetInt64("minItems"),
            MaxItems = node.GetInt64("maxItems"),
            MinProperties = node.GetInt64("minProperties"),
            MaxProperties = node.GetInt64("maxProperties"),
            MultipleOf = Number(node, "multipleOf"),
            Default = node["default"]?.DeepClone(),
            AllOf = Children("allOf"),
            AnyOf = Children("anyOf"),
            OneOf = Children("oneOf"),
            Not = Child("not"),
            ListType = node.GetString("x-kubernetes-list-type"),
            ListMapKeys = node["x-kubernetes-list-map-keys"] is JsonArray keys ? keys.Select(k => k?.ToString() ?? "").ToList() : [],
        };
    }

    private static bool Bool(JsonObject node, string name) => node[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static double? Number(JsonObject node, string name) =>
        node[name] is JsonValue v && v.TryGetNumber(out var d) ? d : null;
}
