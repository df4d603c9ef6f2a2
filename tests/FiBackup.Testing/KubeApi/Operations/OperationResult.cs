using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>What a resource operation answers: an HTTP status, a body, and any Warning headers.</summary>
public sealed record OperationResult(int StatusCode, JsonObject Body)
{
    public List<string> Warnings { get; init; } = [];
}
