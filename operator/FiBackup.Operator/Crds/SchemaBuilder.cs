using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FiBackup.Operator.Api.Schema;
using k8s.Models;

namespace FiBackup.Operator.Crds;

/// <summary>
/// Turns a C# API type into a structural OpenAPI v3 schema, as kube-apiserver wants it for a CRD:
/// every node typed, properties named as KubernetesJson writes them (camelCase), constraints from
/// the DataAnnotations and schema attributes. Properties are sorted by name so the output does not
/// depend on reflection order.
/// </summary>
public static class SchemaBuilder
{
    public static JsonObject ForObject(Type type, string? description = null)
    {
        var schema = new JsonObject();
        var text = description ?? type.GetCustomAttribute<DescriptionAttribute>()?.Description;
        if (text is not null) schema["description"] = text;
        schema["type"] = "object";

        var properties = new JsonObject();
        var required = new List<string>();
        foreach (var property in SerializedProperties(type))
        {
            var name = JsonName(property);
            properties[name] = ForProperty(property);
            if (property.IsDefined(typeof(RequiredMemberAttribute))) required.Add(name);
        }
        schema["properties"] = properties;
        if (required.Count > 0) schema["required"] = Sorted(required);
        return schema;
    }

    public static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    private static IEnumerable<PropertyInfo> SerializedProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && !p.IsDefined(typeof(JsonIgnoreAttribute)) && p.GetIndexParameters().Length == 0)
            .OrderBy(JsonName, StringComparer.Ordinal);

    private static JsonObject ForProperty(PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description
            ?? type.GetCustomAttribute<DescriptionAttribute>()?.Description
            ?? throw new InvalidOperationException(
                $"{property.DeclaringType?.Name}.{property.Name} has no [Description]; every CRD field needs one for `kubectl explain`");

        var schema = ForType(type, property, description);
        ApplyConstraints(schema, property);
        return schema;
    }

    private static JsonObject ForType(Type type, PropertyInfo property, string description)
    {
        if (type == typeof(IntOrString) || property.IsDefined(typeof(IntOrStringAttribute)))
            return new JsonObject { ["description"] = description, ["x-kubernetes-int-or-string"] = true };
        if (ScalarType(type) is var (openApiType, format))
        {
            var scalar = new JsonObject { ["description"] = description, ["type"] = openApiType };
            var explicitFormat = property.GetCustomAttribute<FormatAttribute>()?.Format ?? format;
            if (explicitFormat is not null) scalar["format"] = explicitFormat;
            if (type.IsEnum) scalar["enum"] = new JsonArray([.. Enum.GetNames(type).Select(n => JsonValue.Create(n))]);
            return scalar;
        }
        if (DictionaryValueType(type) is { } valueType)
            return new JsonObject
            {
                ["description"] = description,
                ["type"] = "object",
                ["additionalProperties"] = ItemSchema(valueType),
            };
        if (ListItemType(type) is { } itemType)
        {
            var items = ItemSchema(itemType);
            var list = new JsonObject { ["description"] = description, ["type"] = "array", ["items"] = items };
            if (property.GetCustomAttribute<ListMapKeysAttribute>() is { } mapKeys)
            {
                list["x-kubernetes-list-type"] = "map";
                list["x-kubernetes-list-map-keys"] = new JsonArray([.. mapKeys.Keys.Select(k => JsonValue.Create(k))]);
                RequireKeys(items, mapKeys.Keys);
            }
            return list;
        }
        return ForObject(type, description);
    }

    /// <summary>The schema of a list item or map value: scalars, conditions, or nested objects.</summary>
    private static JsonObject ItemSchema(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(V1Condition)) return ConditionSchema.Build();
        if (ScalarType(type) is var (openApiType, format))
        {
            var scalar = new JsonObject { ["type"] = openApiType };
            if (format is not null) scalar["format"] = format;
            if (type.IsEnum) scalar["enum"] = new JsonArray([.. Enum.GetNames(type).Select(n => JsonValue.Create(n))]);
            return scalar;
        }
        return ForObject(type);
    }

    // kube-apiserver refuses a map-type list whose keys may be missing from an item.
    private static void RequireKeys(JsonObject items, IEnumerable<string> keys)
    {
        var required = items["required"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
        foreach (var key in keys)
        {
            if (items["properties"]?[key] is null)
                throw new InvalidOperationException($"list map key {key} is not a property of the item type");
            if (!required.Contains(key)) required.Add(key);
        }
        items["required"] = Sorted(required);
    }

    private static void ApplyConstraints(JsonObject schema, PropertyInfo property)
    {
        var isArray = schema["type"]?.GetValue<string>() == "array";
        if (property.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } value })
            schema["default"] = value is Enum e ? JsonValue.Create(e.ToString()) : JsonSerializer.SerializeToNode(value);
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            var min = Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
            var max = Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
            schema["minimum"] = Number(min);
            // A maximum at the type's own limit says nothing; leave it out.
            if (max < TypeLimit(property.PropertyType)) schema["maximum"] = Number(max);
        }
        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
            schema[isArray ? "minItems" : "minLength"] = minLength.Length;
        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
            schema[isArray ? "maxItems" : "maxLength"] = maxLength.Length;
        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
            schema["pattern"] = pattern.Pattern;
    }

    private static double TypeLimit(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) == typeof(int) ? int.MaxValue : long.MaxValue;

    private static JsonNode Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);

    private static (string Type, string? Format)? ScalarType(Type type) => type switch
    {
        _ when type == typeof(string) => ("string", null),
        _ when type == typeof(bool) => ("boolean", null),
        _ when type == typeof(int) => ("integer", "int32"),
        _ when type == typeof(long) => ("integer", "int64"),
        _ when type == typeof(double) => ("number", "double"),
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => ("string", "date-time"),
        _ when type.IsEnum => ("string", null),
        _ => null,
    };

    private static Type? ListItemType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(List<>) || d == typeof(IList<>) || d == typeof(IReadOnlyList<>) || d == typeof(IEnumerable<>))
            ? type.GetGenericArguments()[0]
            : null;

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(Dictionary<,>) || d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static JsonArray Sorted(IEnumerable<string> names) =>
        new([.. names.Order(StringComparer.Ordinal).Select(n => JsonValue.Create(n))]);
}
