using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Watch;

/// <summary>One line of a watch stream: {"type": ..., "object": ...}. The object is already in the served shape.</summary>
public sealed record WatchMessage(string Type, JsonObject Object)
{
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";
}
