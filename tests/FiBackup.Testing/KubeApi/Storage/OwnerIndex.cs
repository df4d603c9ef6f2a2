using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Storage;

/// <summary>Where one stored object lives: its resource, namespace (null if cluster-scoped) and name.</summary>
public readonly record struct StoredObjectRef(GroupResource Resource, string? Namespace, string Name);

/// <summary>
/// Every stored object by uid, and the objects that name each uid in their ownerReferences (the garbage
/// collector's dependency graph), kept in step with every write so that the collector looks up owners and
/// dependents instead of scanning every object.
/// </summary>
public sealed class OwnerIndex
{
    private readonly Dictionary<string, StoredObjectRef> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<StoredObjectRef>> _dependents = new(StringComparer.Ordinal);

    public StoredObjectRef? Find(string uid) => _byUid.TryGetValue(uid, out var found) ? found : null;

    /// <summary>The objects whose ownerReferences name <paramref name="uid"/>, deleting ones included.</summary>
    public IReadOnlyCollection<StoredObjectRef> DependentsOf(string uid) =>
        _dependents.TryGetValue(uid, out var set) ? set : [];

    public void Put(GroupResource resource, JsonObject stored, JsonObject? previous)
    {
        var at = new StoredObjectRef(resource, stored.Namespace(), stored.Name()!);
        if (previous is not null) Unlink(at, previous);
        if (stored.Uid() is { } uid) _byUid[uid] = at;
        foreach (var owner in OwnerUids(stored))
        {
            if (!_dependents.TryGetValue(owner, out var set)) _dependents[owner] = set = [];
            set.Add(at);
        }
    }

    public void Remove(GroupResource resource, JsonObject last)
    {
        var at = new StoredObjectRef(resource, last.Namespace(), last.Name()!);
        Unlink(at, last);
        if (last.Uid() is { } uid && _byUid.TryGetValue(uid, out var held) && held == at) _byUid.Remove(uid);
    }

    /// <summary>The uids an object's ownerReferences name.</summary>
    public static IEnumerable<string> OwnerUids(JsonObject? obj) =>
        ((obj?["metadata"] as JsonObject)?["ownerReferences"] as JsonArray ?? [])
            .OfType<JsonObject>().Select(r => r.GetString("uid")).OfType<string>();

    private void Unlink(StoredObjectRef at, JsonObject previous)
    {
        foreach (var owner in OwnerUids(previous))
        {
            if (!_dependents.TryGetValue(owner, out var set)) continue;
            set.Remove(at);
            if (set.Count == 0) _dependents.Remove(owner);
        }
    }
}
