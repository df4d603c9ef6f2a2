using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Json;

/// <summary>How the server reads and writes JSON: one set of options so every response looks alike.</summary>
public static class JsonText
{
    /// <summary>Compact output (like kube-apiserver), without escaping '+', '&lt;' or non-ASCII text.</summary>
    public static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static readonly JsonSerializerOptions Indented = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    // Go's encoding/json keeps the last of duplicate keys; System.Text.Json would throw on them.
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = true };

    public static JsonNode? Parse(string text) => JsonNode.Parse(text, NodeOptions, DocumentOptions);

    public static JsonNode? Parse(ReadOnlySpan<byte> utf8) => JsonNode.Parse(utf8, NodeOptions, DocumentOptions);

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Compact) ?? "null";

    // Written through Utf8JsonWriter rather than JsonSerializer, which needs reflection that trimmed hosts disable.
    public static byte[] SerializeToUtf8(JsonNode? node)
    {
        if (node is null) return "null"u8.ToArray();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Compact.Encoder }))
            node.WriteTo(writer);
        return buffer.ToArray();
    }
}
