using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FiBackup.Operator.Crds;

/// <summary>
/// Writes a JSON tree as block-style YAML, keys in the tree's order. Hand-written rather than
/// YamlDotNet's serializer so the committed CRDs are byte-stable across library versions, and so
/// every string that a YAML 1.1 reader (kubectl's) could take for something else is quoted.
/// </summary>
public static partial class YamlEmitter
{
    private static readonly JsonSerializerOptions QuotedString = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Words YAML 1.1 reads as booleans or null; kubectl's reader is YAML 1.1.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        { "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~" };

    public static string Write(JsonObject document)
    {
        var text = new StringBuilder();
        WriteMapping(text, document, 0);
        return text.ToString();
    }

    private static void WriteMapping(StringBuilder text, JsonObject mapping, int indent)
    {
        foreach (var (key, value) in mapping)
        {
            text.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                text.Append(" {}\n");
                break;
            case JsonObject nested:
                text.Append('\n');
                WriteMapping(text, nested, indent + 2);
                break;
            case JsonArray { Count: 0 }:
                text.Append(" []\n");
                break;
            case JsonArray items:
                text.Append('\n');
                WriteSequence(text, items, indent + 2);
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteSequence(StringBuilder text, JsonArray items, int indent)
    {
        foreach (var item in items)
        {
            if (item is JsonObject { Count: > 0 } mapping)
            {
                // "- " takes the place of the first key's indentation; the other keys line up under it.
                var itemText = new StringBuilder();
                WriteMapping(itemText, mapping, indent + 2);
                text.Append(' ', indent).Append("- ").Append(itemText.ToString(indent + 2, itemText.Length - indent - 2));
            }
            else if (item is JsonArray { Count: > 0 })
                throw new NotSupportedException("nested sequences are not used in CRDs");
            else
            {
                text.Append(' ', indent).Append('-');
                WriteValue(text, item, indent);
            }
        }
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => Scalar(s),
        JsonValue v => v.ToJsonString(),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    private static string Scalar(string s) =>
        PlainSafe().IsMatch(s) && !Reserved.Contains(s) ? s : JsonSerializer.Serialize(s, QuotedString);

    // A letter first (so never a number, date or indicator), printable ASCII, and none of the
    // sequences that end a plain scalar (": ", " #") or a trailing space.
    [GeneratedRegex(@"^[A-Za-z](?:[ -~](?<!: )(?<! #))*(?<![ :])$")]
    private static partial Regex PlainSafe();
}
