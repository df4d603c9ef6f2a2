using System.Text.Encodings.Web;
using System.Text.Json;

namespace FiBackup.Operator.Api.Validation;

/// <summary>Values in messages, quoted as kubectl quotes them (JSON strings), so empty or odd values stay visible.</summary>
internal static class Quote
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(string? value) => value is null ? "null" : JsonSerializer.Serialize(value, Options);
}
