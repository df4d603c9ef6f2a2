using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Validation;

/// <summary>
/// Validates a custom resource against its structural schema and reports errors as kube-apiserver does
/// (kube-openapi validation converted to field errors): "spec.x: Invalid value: ...: spec.x in body should ...".
/// x-kubernetes-validations (CEL) rules are not evaluated.
/// </summary>
public static partial class SchemaValidator
{
    public static List<FieldError> ValidateResource(JsonObject obj, StructuralSchema schema)
    {
        var errors = new List<FieldError>();
        foreach (var (name, property) in schema.Properties)
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            if (!obj.TryGetPropertyValue(name, out var value))
            {
                if (schema.Required.Contains(name)) errors.Add(FieldError.Required(name));
                continue;
            }
            Validate(value, property, name, errors);
        }
        return errors;
    }

    public static void Validate(JsonNode? value, StructuralSchema s, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            if (!s.Nullable && (s.Type is not null || s.IntOrString))
                errors.Add(TypeError(path, TypeList(s), "null"));
            return;
        }

        var actual = JsonNodes.TypeName(value);
        if (!TypeMatches(s, actual))
        {
            errors.Add(TypeError(path, TypeList(s), actual));
            return;
        }

        ValidateEnum(value, s, path, errors);
        switch (value)
        {
            case JsonObject obj: ValidateObject(obj, s, path, errors); break;
            case JsonArray array: ValidateArray(array, s, path, errors); break;
            case JsonValue scalar: ValidateScalar(scalar, actual, s, path, errors); break;
        }
        ValidateCombinators(value, s, path, errors);
    }

    private static bool TypeMatches(StructuralSchema s, string actual)
    {
        if (s.IntOrString) return actual is "integer" or "string";
        return s.Type switch
        {
            null or "" => true,
            "number" => actual is "number" or "integer",
            var t => t == actual,
        };
    }

    private static string TypeList(StructuralSchema s) => s.IntOrString ? "integer,string" : s.Type ?? "";

    private static FieldError TypeError(string path, string expected, string actual) =>
        FieldError.TypeInvalid(path, actual, $"{path} in body must be of type {expected}: {GoFormat.Quote(actual)}");

    private static void ValidateEnum(JsonNode value, StructuralSchema s, string path, List<FieldError> errors)
    {
        if (s.Enum is null || s.Enum.Any(e => JsonNode.DeepEquals(e, value))) return;
        var allowed = s.Enum.Select(e => e is JsonValue v && v.TryGetValue<string>(out var str) ? str : JsonText.Serialize(e));
        errors.Add(FieldError.NotSupported(path, NativeValue(value), allowed));
    }

    private static void ValidateObject(JsonObject obj, StructuralSchema s, string path, List<FieldError> errors)
    {
        foreach (var required in s.Required)
            if (!obj.ContainsKey(required)) errors.Add(FieldError.Required(Child(path, required)));
        if (s.MaxProperties is { } maxProps && obj.Count > maxProps) errors.Add(FieldError.TooMany(path, obj.Count, maxProps));
        if (s.MinProperties is { } minProps && obj.Count < minProps)
            errors.Add(FieldError.Invalid(path, (long)obj.Count, $"{path} in body should have at least {minProps} properties"));
        foreach (var (name, child) in obj)
        {
            if (s.Properties.TryGetValue(name, out var property)) Validate(child, property, Child(path, name), errors);
            else if (s.AdditionalProperties is { } additional) Validate(child, additional, Child(path, name), errors);
        }
    }

    private static void ValidateArray(JsonArray array, StructuralSchema s, string path, List<FieldError> errors)
    {
        if (s.MaxItems is { } max && array.Count > max) errors.Add(FieldError.TooMany(path, array.Count, max));
        if (s.MinItems is { } min && array.Count < min)
            errors.Add(FieldError.Invalid(path, (long)array.Count, $"{path} in body should have at least {min} items"));
        if (s.Items is { } items)
            for (var i = 0; i < array.Count; i++) Validate(array[i], items, $"{path}[{i}]", errors);

        // x-kubernetes-list-type: set/map items must be unique (by value, or by the map keys).
        if (s.ListType is "set" or "map")
        {
            var seen = new List<JsonNode?>();
            for (var i = 0; i < array.Count; i++)
            {
                var key = s.ListType == "map" && array[i] is JsonObject item
                    ? new JsonObject(s.ListMapKeys.Select(k => KeyValuePair.Create(k, item[k]?.DeepClone())))
                    : array[i];
                if (seen.Any(k => JsonNode.DeepEquals(k, key))) errors.Add(FieldError.Duplicate($"{path}[{i}]", NativeValue(key)));
                else seen.Add(key);
            }
        }
    }

    private static void ValidateScalar(JsonValue value, string actual, StructuralSchema s, string path, List<FieldError> errors)
    {
        if (actual == "string")
        {
            var text = value.GetValue<string>();
            var length = text.EnumerateRunes().Count();
            if (s.MaxLength is { } max && length > max) errors.Add(FieldError.TooLong(path, text, max));
            if (s.MinLength is { } min && length < min)
                errors.Add(FieldError.Invalid(path, text, $"{path} in body should be at least {min} chars long"));
            if (s.PatternRegex is { } regex && !regex.IsMatch(text))
                errors.Add(FieldError.Invalid(path, text, $"{path} in body should match '{s.Pattern}'"));
            if (s.Format is { } format && !FormatMatches(format, text))
                errors.Add(FieldError.TypeInvalid(path, text, $"{path} in body must be of type {format}: {GoFormat.Quote(text)}"));
        }
        else if (actual is "integer" or "number" && value.TryGetNumber(out var number))
        {
            var shown = NativeValue(value);
            if (s.Maximum is { } max && (s.ExclusiveMaximum ? number >= max : number > max))
                errors.Add(FieldError.Invalid(path, shown,
                    $"{path} in body should be less than {(s.ExclusiveMaximum ? "" : "or equal to ")}{GoFormat.Number(max)}"));
            if (s.Minimum is { } min && (s.ExclusiveMinimum ? number <= min : number < min))
                errors.Add(FieldError.Invalid(path, shown,
                    $"{path} in body should be greater than {(s.ExclusiveMinimum ? "" : "or equal to ")}{GoFormat.Number(min)}"));
            if (s.MultipleOf is { } factor && factor > 0 && Math.Abs(Math.IEEERemainder(number, factor)) > 1e-9)
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be a multiple of {GoFormat.Number(factor)}"));
        }
    }

    private static void ValidateCombinators(JsonNode value, StructuralSchema s, string path, List<FieldError> errors)
    {
        foreach (var all in s.AllOf) Validate(value, all, path, errors);
        bool Passes(StructuralSchema sub)
        {
            var scratch = new List<FieldError>();
            Validate(value, sub, path, scratch);
            return scratch.Count == 0;
        }
        if (s.AnyOf.Count > 0 && !s.AnyOf.Any(Passes))
            errors.Add(FieldError.Invalid(path, "", $"{path} in body must validate at least one schema (anyOf)"));
        if (s.OneOf.Count > 0 && s.OneOf.Count(Passes) != 1)
            errors.Add(FieldError.Invalid(path, "", $"{path} in body must validate one and only one schema (oneOf)"));
        if (s.Not is { } not && Passes(not))
            errors.Add(FieldError.Invalid(path, "", $"{path} in body must not validate the schema (not)"));
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The value as Go would print it in a field error (string, int64, float64, bool, or JSON).</summary>
    private static object? NativeValue(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetInteger(out var l) => l,
        JsonValue v when v.TryGetNumber(out var d) => d,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => node,
    };

    /// <summary>The string formats kube-apiserver checks for CRDs (others are accepted unchecked).</summary>
    private static bool FormatMatches(string format, string text) => format switch
    {
        "date-time" => DateTimeRegex().IsMatch(text),
        "date" => DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => UuidRegex().IsMatch(text),
        "byte" => text.Length % 4 == 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _),
        "ipv4" => IPAddress.TryParse(text, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') == 3,
        "ipv6" => IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        "cidr" => IPNetwork.TryParse(text, out _),
        "hostname" => HostnameRegex().IsMatch(text) && text.Length <= 255,
        "email" => EmailRegex().IsMatch(text),
        "duration" => DurationRegex().IsMatch(text),
        _ => true,
    };

    // RFC 3339 date-time as strfmt accepts it (fractional seconds and offsets allowed).
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")]
    private static partial Regex UuidRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,62})?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,62})?)*$")]
    private static partial Regex HostnameRegex();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$")]
    private static partial Regex DurationRegex();
}
