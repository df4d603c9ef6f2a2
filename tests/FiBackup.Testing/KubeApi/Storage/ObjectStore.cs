using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Watch;

namespace FiBackup.Testing.KubeApi.Storage;

/// <summary>
/// All objects, in memory, under one global revision counter (etcd's role). Every write gets the next
/// revision as its resourceVersion and is recorded in the history and published to watchers in the same
/// critical section, so watchers see writes in revision order. Callers hold <see cref="Gate"/> across
/// read-modify-write sequences; objects handed out are copies.
/// </summary>
public sealed class ObjectStore(ChangeHistory history, WatchHub hub)
{
    private readonly Dictionary<GroupResource, SortedDictionary<string, JsonObject>> _objects = new();
    private long _revision = 1;

    public Lock Gate { get; } = new();
    public ChangeHistory History => history;
    public WatchHub Hub => hub;

    /// <summary>Uids and owner references of every stored object, for the garbage collector.</summary>
    public OwnerIndex Owners { get; } = new();

    /// <summary>Counts resources dropped whole (a CRD's, when it goes): removals no history entry records.</summary>
    public long Drops { get; private set; }

    /// <summary>The newest revision (what a list returns as its resourceVersion).</summary>
    public long Revision => _revision;

    public static string Key(string? ns, string name) => $"{ns ?? ""}/{name}";

    public JsonObject? Get(GroupResource resource, string? ns, string name) =>
        Table(resource).TryGetValue(Key(ns, name), out var obj) ? obj.Clone() : null;

    /// <summary>Objects in key order (namespace, then name), optionally only after a continue key.</summary>
    public IEnumerable<(string Key, JsonObject Object)> List(GroupResource resource, string? ns, string? afterKey = null)
    {
        foreach (var (key, obj) in Table(resource))
        {
            if (ns is not null && !key.StartsWith(ns + "/", StringComparison.Ordinal)) continue;
            if (afterKey is not null && string.CompareOrdinal(key, afterKey) <= 0) continue;
            yield return (key, obj.Clone());
        }
    }

    /// <summary>Copies of the objects with a deletionTimestamp only (what the cleanup controllers act on), without copying the rest.</summary>
    public IEnumerable<JsonObject> BeingDeleted(GroupResource resource) =>
        Table(resource).Values.Where(JsonNodes.IsBeingDeleted).Select(JsonNodes.Clone).ToList();

    public IEnumerable<GroupResource> Resources => _objects.Keys.ToList();

    public JsonObject Add(GroupResource resource, JsonObject obj)
    {
        var stored = Stamp(obj);
        Table(resource).Add(Key(obj.Namespace(), obj.Name()!), stored);
        Owners.Put(resource, stored, null);
        Publish(new StoredEvent(StoredEvent.Added, resource, stored.Clone(), null, _revision));
        return stored.Clone();
    }

    public JsonObject Replace(GroupResource resource, JsonObject obj, JsonObject previous)
    {
        var stored = Stamp(obj);
        var table = Table(resource);
        var key = Key(obj.Namespace(), obj.Name()!);
        table.TryGetValue(key, out var held);
        table[key] = stored;
        Owners.Put(resource, stored, held);
        Publish(new StoredEvent(StoredEvent.Modified, resource, stored.Clone(), previous.Clone(), _revision));
        return stored.Clone();
    }

    /// <summary>Removes an object; the DELETED event carries its last state with the deletion's revision.</summary>
    public JsonObject Remove(GroupResource resource, JsonObject lastState)
    {
        if (Table(resource).Remove(Key(lastState.Namespace(), lastState.Name()!), out var held)) Owners.Remove(resource, held);
        var final = Stamp(lastState);
        Publish(new StoredEvent(StoredEvent.Deleted, resource, final.Clone(), null, _revision));
        return final;
    }

    /// <summary>Advances the revision without a write, so that every revision handed out so far is older than "now".</summary>
    public long Tick() => ++_revision;

    public void DropResource(GroupResource resource)
    {
        if (!_objects.Remove(resource, out var table) || table.Count == 0) return;
        foreach (var obj in table.Values) Owners.Remove(resource, obj);
        Drops++;
    }

    private JsonObject Stamp(JsonObject obj)
    {
        var stored = obj.Clone();
        stored.Metadata()["resourceVersion"] = (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return stored;
    }

    private void Publish(StoredEvent change)
    {
        history.Append(change);
        hub.Publish(change);
    }

    private SortedDictionary<string, JsonObject> Table(GroupResource resource)
    {
        if (!_objects.TryGetValue(resource, out var table))
        {
            table = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[resource] = table;
        }
        return table;
    }
}
