using System.Text.Json.Serialization;

namespace FiBackup.Engine.Repository;

/// <summary>The JSON settings every repository document uses (camelCase, enums as lower-case words).</summary>
public static class RepositoryJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower) },
    };
}
