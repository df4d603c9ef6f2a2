using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;

namespace OperatorBench;

/// <summary>
/// Watches the bench converge from outside, as a user would with kubectl: one list of the policies
/// and one of the VmBackups per second. Its clock runs from the operator's launch (t0, given by the script).
/// </summary>
public static partial class Measurement
{
    private sealed class Clock(DateTimeOffset started)
    {
        public TimeSpan Elapsed => DateTimeOffset.UtcNow - started;
    }

    private const string Base = "/apis/fibackup.io/v1alpha1/namespaces/bench/";

    /// <param name="started">When the operator was launched (t0); the clock runs from there.</param>
    /// <param name="requestsAtStart">Lines the request log had at t0.</param>
    public static async Task<int> RunAsync(string kubeconfig, int policies, string requestLog, int requestsAtStart,
        DateTimeOffset started, TimeSpan timeout)
    {
        var clock = new Clock(started);
        var host = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig).Host.TrimEnd('/');
        using var http = new HttpClient { BaseAddress = new Uri(host) };
        var own = 0;
        TimeSpan? allReady = null, allCreated = null, allSucceeded = null;
        (int Ready, int Backups, int Succeeded, int Failed) last = default;
        while (clock.Elapsed < timeout)
        {
            var tick = clock.Elapsed;
            var policyList = await ListAsync(http, "vmbackuppolicies");
            var backupList = await ListAsync(http, "vmbackups");
            own += 2;
            var seen = clock.Elapsed;
            last = (policyList.Count(IsReadyAndScheduled), backupList.Count,
                backupList.Count(b => Phase(b) == "Succeeded"), backupList.Count(b => Phase(b) == "Failed"));
            if (allReady is null && last.Ready >= policies) allReady = seen;
            if (allCreated is null && last.Backups >= policies) allCreated = seen;
            if (allSucceeded is null && last.Succeeded >= policies) allSucceeded = seen;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"measure: {seen.TotalSeconds,6:F1} s  ready+scheduled {last.Ready}/{policies}  vmbackups {last.Backups}  succeeded {last.Succeeded}  failed {last.Failed}"));
            if (last.Failed > 0 || (allReady is not null && allSucceeded is not null)) break;
            var wait = tick + TimeSpan.FromSeconds(1) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
        }
        var requestsAtDone = CountLines(requestLog);
        var ownAtDone = own;

        // What the operator still does once everything is done: 5 s of quiet is what one expects.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = ReadLines(requestLog).Skip(requestsAtDone).Count(l => RequestLine().IsMatch(l));

        var requests = ReadLines(requestLog).Skip(requestsAtStart).Take(requestsAtDone - requestsAtStart)
            .Select(l => RequestLine().Match(l)).Where(m => m.Success).ToList();
        var byKind = requests
            .GroupBy(m => Describe(m.Groups["method"].Value, m.Groups["path"].Value, m.Groups["query"].Value))
            .Select(g => (What: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToList();

        string Seconds(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "not reached";
        Console.WriteLine($"ready={Seconds(allReady)}");
        Console.WriteLine($"created={Seconds(allCreated)}");
        Console.WriteLine($"succeeded={Seconds(allSucceeded)}");
        Console.WriteLine($"final={last.Ready} {last.Backups} {last.Succeeded} {last.Failed}");
        Console.WriteLine($"requests={requests.Count - ownAtDone}");
        Console.WriteLine($"own_requests={ownAtDone}");
        Console.WriteLine($"requests_after_done={after}");
        foreach (var (what, count) in byKind)
            Console.WriteLine($"request {count - (what == "GET list vmbackuppolicies" || what == "GET list vmbackups" ? ownAtDone / 2 : 0)} {what}");
        return allReady is not null && allSucceeded is not null && last.Failed == 0 ? 0 : 1;
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient http, string plural)
    {
        using var response = await http.GetAsync(Base + plural);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return document.RootElement.GetProperty("items").EnumerateArray().Select(i => i.Clone()).ToList();
    }

    private static bool IsReadyAndScheduled(JsonElement policy) =>
        policy.TryGetProperty("status", out var status)
        && status.TryGetProperty("nextScheduleTime", out var next) && next.ValueKind == JsonValueKind.String
        && status.TryGetProperty("conditions", out var conditions)
        && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");

    private static string? Phase(JsonElement backup) =>
        backup.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) ? phase.GetString() : null;

    /// <summary>"PATCH vmbackups/status", "POST events", "GET watch vmbackups", ...</summary>
    private static string Describe(string method, string path, string query)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var ns = Array.IndexOf(parts, "namespaces");
        var rest = ns >= 0 && ns + 2 < parts.Length ? parts[(ns + 2)..] : parts.Length > 0 ? parts[^1..] : [];
        var resource = rest.Length switch
        {
            0 => path,
            1 => rest[0],
            2 => rest[0],
            _ => $"{rest[0]}/{rest[2]}",
        };
        var verb = method == "GET" && rest.Length == 1 ? (query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) ? "GET watch" : "GET list") : method;
        return $"{verb} {resource}";
    }

    private static int CountLines(string path) => ReadLines(path).Count();

    private static IEnumerable<string> ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line) yield return line;
    }

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE) (?<path>[^? ]+)(?<query>\?\S*)? \d{3} \(")]
    private static partial Regex RequestLine();
}
