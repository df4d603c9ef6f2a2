using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi.Faults;

/// <summary>A resource request as the fault injector sees it, for choosing which requests to fail.</summary>
public sealed record FaultTarget(string Method, string Path, string Resource, string? Namespace, string? Name, bool IsWatch);

/// <summary>
/// Makes the server misbehave on purpose so operator tests can prove they cope: failed requests (500, 429, 409),
/// slow responses, dropped watches and expired resourceVersions (410 Gone on the next watch or continue).
/// Faults apply to resource requests only; discovery and OpenAPI keep working.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly ObjectStore _store;
    private readonly List<PlannedFailure> _failures = [];

    internal FaultInjector(ObjectStore store) => _store = store;

    private sealed class PlannedFailure(int remaining, int statusCode, Func<FaultTarget, bool> when)
    {
        public int Remaining = remaining;
        public int StatusCode => statusCode;
        public bool Applies(FaultTarget target) => when(target);
    }

    /// <summary>Delay added before every resource request is served.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Answers the next <paramref name="count"/> matching requests with 500, 429 or 409 (a Status body like upstream's).</summary>
    public void FailNextRequests(int count, int statusCode = 500, Func<FaultTarget, bool>? when = null)
    {
        if (statusCode is not (500 or 429 or 409 or 503 or 504))
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "supported: 500, 429, 409, 503, 504");
        lock (_gate) _failures.Add(new PlannedFailure(count, statusCode, when ?? (_ => true)));
    }

    /// <summary>How many planned failures have not been served yet.</summary>
    public int PendingFailures { get { lock (_gate) return _failures.Sum(f => f.Remaining); } }

    /// <summary>Ends every open watch stream; clients see the stream close and must watch again.</summary>
    public int DropAllWatches() => _store.Hub.DropAll();

    /// <summary>
    /// Compacts the history: every resourceVersion handed out so far becomes too old to watch or continue from
    /// (410 Gone), while a fresh list returns a newer one that works, as after an etcd compaction.
    /// </summary>
    public void ExpireResourceVersions()
    {
        lock (_store.Gate)
        {
            var now = _store.Tick();
            _store.History.Compact(now);
        }
    }

    public void Reset()
    {
        lock (_gate) _failures.Clear();
        Latency = TimeSpan.Zero;
    }

    internal ApiException? NextFailure(FaultTarget target, GroupResource resource)
    {
        int code;
        lock (_gate)
        {
            var failure = _failures.FirstOrDefault(f => f.Remaining > 0 && f.Applies(target));
            if (failure is null) return null;
            failure.Remaining--;
            if (failure.Remaining == 0) _failures.Remove(failure);
            code = failure.StatusCode;
        }
        return code switch
        {
            429 => ApiErrors.TooManyRequests(1),
            409 => ApiErrors.Conflict(resource, target.Name ?? "", ApiErrors.ObjectModified),
            503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request (injected fault)"),
            504 => ApiErrors.Timeout("the server was unable to return a response in the time allotted (injected fault)"),
            _ => ApiErrors.Internal("injected fault"),
        };
    }
}
