using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Errors;

/// <summary>
/// A request failure carrying the metav1.Status body kube-apiserver would send. Thrown anywhere in the
/// request pipeline; the router writes <see cref="Status"/> with <see cref="Code"/>.
/// </summary>
public sealed class ApiException(int code, string reason, string message, JsonObject? details = null)
    : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    /// <summary>Extra response headers, e.g. Retry-After on 429.</summary>
    public Dictionary<string, string> Headers { get; } = new();

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        if (Reason.Length > 0) status["reason"] = Reason;
        if (Details is not null) status["details"] = Details.DeepClone();
        status["code"] = Code;
        return status;
    }
}
