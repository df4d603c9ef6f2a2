using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>
/// events.k8s.io/v1 is another view of the core/v1 Events (one storage, as in kube-apiserver): the same
/// objects with renamed fields (regarding = involvedObject, note = message, deprecatedCount = count, ...).
/// </summary>
public sealed class EventsV1Representation : IObjectRepresentation
{
    // events.k8s.io/v1 name -> core/v1 name
    private static readonly (string V1, string Core)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    public JsonObject ToStorage(JsonObject served)
    {
        var stored = Rename(served, r => r.V1, r => r.Core);
        stored["apiVersion"] = "v1";
        return stored;
    }

    public JsonObject FromStorage(JsonObject stored)
    {
        var served = Rename(stored, r => r.Core, r => r.V1);
        served["apiVersion"] = "events.k8s.io/v1";
        return served;
    }

    public string StoragePath(string servedPath)
    {
        foreach (var (v1, core) in Renames)
            if (servedPath == v1 || servedPath.StartsWith(v1 + ".", StringComparison.Ordinal))
                return core + servedPath[v1.Length..];
        return servedPath;
    }

    private static JsonObject Rename(JsonObject source, Func<(string V1, string Core), string> from, Func<(string V1, string Core), string> to)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            var rename = Renames.FirstOrDefault(r => from(r) == key);
            result[rename.V1 is null ? key : to(rename)] = value?.DeepClone();
        }
        return result;
    }
}
