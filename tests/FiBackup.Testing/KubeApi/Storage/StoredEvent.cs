using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Storage;

/// <summary>One change to one stored object, as the watch cache keeps it (with the previous state for selectors).</summary>
public sealed record StoredEvent(string Type, GroupResource Resource, JsonObject Object, JsonObject? Previous, long Revision)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
}
