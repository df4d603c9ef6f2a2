using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Errors;

/// <summary>The reasons of k8s.io/apimachinery field.ErrorType; each maps to a StatusCause reason.</summary>
public enum FieldErrorType
{
    NotFound, Required, Duplicate, Invalid, NotSupported, Forbidden, TooLong, TooMany, Internal, TypeInvalid,
}

/// <summary>
/// One field-level validation error, rendered exactly like apimachinery's field.Error so that the
/// message a user reads ("spec.mode: Unsupported value: \"Foo\": supported values: ...") matches kube-apiserver.
/// </summary>
public sealed record FieldError(FieldErrorType Type, string Field, object? BadValue, string Detail)
{
    /// <summary>Marks a value that the message must leave out (field.omitValue).</summary>
    public static readonly object OmitValue = new();

    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, "", detail);
    public static FieldError Invalid(string field, object? value, string detail) => new(FieldErrorType.Invalid, field, value, detail);
    public static FieldError TypeInvalid(string field, object? value, string detail) => new(FieldErrorType.TypeInvalid, field, value, detail);
    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, "", detail);
    public static FieldError Duplicate(string field, object? value) => new(FieldErrorType.Duplicate, field, value, "");

    public static FieldError NotSupported(string field, object? value, IEnumerable<string> supported)
    {
        var quoted = supported.Select(GoFormat.Quote).ToList();
        return new(FieldErrorType.NotSupported, field, value, quoted.Count == 0 ? "" : "supported values: " + string.Join(", ", quoted));
    }

    public static FieldError TooLong(string field, object? value, long maxLength) =>
        new(FieldErrorType.TooLong, field, value, maxLength >= 0 ? $"may not be longer than {maxLength}" : "value is too long");

    public static FieldError TooMany(string field, long actual, long max) =>
        new(FieldErrorType.TooMany, field, actual >= 0 ? actual : OmitValue, max >= 0 ? $"must have at most {max} items" : "has too many items");

    public string Reason => "FieldValue" + Type switch
    {
        FieldErrorType.Internal => throw new InvalidOperationException(),
        _ => Type.ToString(),
    };

    /// <summary>The StatusCause type (e.g. "FieldValueRequired"; "InternalError" for internal errors).</summary>
    public string CauseType => Type == FieldErrorType.Internal ? "InternalError" : Reason;

    private string TypeText => Type switch
    {
        FieldErrorType.NotFound => "Not found",
        FieldErrorType.Required => "Required value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.Invalid or FieldErrorType.TypeInvalid => "Invalid value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.Internal => "Internal error",
        _ => Type.ToString(),
    };

    /// <summary>The message without the field name (field.Error.ErrorBody).</summary>
    public string Body
    {
        get
        {
            string s;
            if (Type is FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong or FieldErrorType.Internal
                || ReferenceEquals(BadValue, OmitValue))
                s = TypeText;
            else
                s = $"{TypeText}: {GoFormat.Value(BadValue)}";
            if (Detail.Length > 0) s += ": " + Detail;
            return s;
        }
    }

    public override string ToString() => $"{Field}: {Body}";
}

/// <summary>Renders values the way Go's fmt does in apimachinery messages (%q for strings, %v otherwise).</summary>
public static class GoFormat
{
    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.Append($"\\x{(int)c:x2}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    public static string Number(double d) =>
        d == Math.Floor(d) && Math.Abs(d) < 1e21 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);

    public static string Value(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        long or int => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => Number(d),
        JsonValue v when v.TryGetValue<string>(out var s) => Quote(s),
        JsonValue v when v.TryGetInteger(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetNumber(out var d) => Number(d),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonNode n => JsonText.Serialize(n),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };
}
