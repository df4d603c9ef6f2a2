using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace FiBackup.Operator.Runtime;

/// <summary>What an API server's error answer means for the write that got it.</summary>
public static class ApiErrors
{
    /// <summary>
    /// 409 with reason AlreadyExists: a create found the name taken. Other 409s (Conflict: a stale
    /// resourceVersion, or a busy server) are transient and must not be read as "it exists".
    /// </summary>
    public static bool IsAlreadyExists(HttpOperationException e) =>
        e.Response.StatusCode == HttpStatusCode.Conflict && Reason(e) == "AlreadyExists";

    public static bool IsNotFound(HttpOperationException e) => e.Response.StatusCode == HttpStatusCode.NotFound;

    /// <summary>Worth sending again as it is: a conflict, throttling, or a server-side failure.</summary>
    public static bool IsTransient(HttpOperationException e) =>
        (e.Response.StatusCode == HttpStatusCode.Conflict && !IsAlreadyExists(e))
        || e.Response.StatusCode == HttpStatusCode.TooManyRequests
        || (int)e.Response.StatusCode >= 500;

    private static string? Reason(HttpOperationException e) => StatusField(e, "reason");

    /// <summary>
    /// The API server's own sentence (the Status message, e.g. `... is forbidden: User "..." cannot patch
    /// resource "vmbackups/status" ...`) with the HTTP code, for a log line or a condition message.
    /// </summary>
    public static string Message(HttpOperationException e) =>
        $"the API server answered {(int)e.Response.StatusCode}: {StatusField(e, "message") ?? e.Response.ReasonPhrase ?? e.Message}";

    private static string? StatusField(HttpOperationException e, string field)
    {
        try
        {
            return JsonNode.Parse(e.Response.Content ?? "")?[field]?.GetValue<string>();
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a write, sending it again (up to 5 times, growing pauses) while the answer is transient.</summary>
    public static async Task<T> RetryTransientAsync<T>(Func<Task<T>> write, CancellationToken ct)
    {
        var pause = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (HttpOperationException e) when (attempt < 5 && IsTransient(e))
            {
                await Task.Delay(pause, ct);
                pause *= 2;
            }
        }
    }
}
