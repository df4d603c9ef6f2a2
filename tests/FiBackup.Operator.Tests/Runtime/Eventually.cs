namespace FiBackup.Operator.Tests.Runtime;

/// <summary>A bounded poll for tests against the real API server, where effects arrive asynchronously.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }
}

/// <summary>Counts the requests the API server logs, by a predicate on the log line.</summary>
internal sealed class RequestCounter
{
    private readonly List<string> _lines = [];

    public void Record(string line)
    {
        lock (_lines) _lines.Add(line);
    }

    public int Count(Func<string, bool> match)
    {
        lock (_lines) return _lines.Count(match);
    }

    public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }
}
