using System.Globalization;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi.Watch;

/// <summary>The set of open watches; every stored change is offered to each of them.</summary>
public sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly List<Watcher> _watchers = [];

    public int Count { get { lock (_gate) return _watchers.Count; } }

    public void Add(Watcher watcher)
    {
        lock (_gate) _watchers.Add(watcher);
    }

    public void Remove(Watcher watcher)
    {
        lock (_gate) _watchers.Remove(watcher);
        watcher.Close();
    }

    public void Publish(StoredEvent change)
    {
        foreach (var watcher in Snapshot()) watcher.Offer(change);
    }

    /// <summary>Sends each watcher that asked for bookmarks the revision it is now up to date with.</summary>
    public void SendBookmarks(long revision)
    {
        foreach (var watcher in Snapshot().Where(w => w.AllowBookmarks))
            watcher.Enqueue(new WatchMessage(WatchMessage.Bookmark, Bookmark(watcher, revision)));
    }

    public static JsonObject Bookmark(Watcher watcher, long revision, JsonObject? annotations = null)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (annotations is not null) metadata["annotations"] = annotations;
        return new JsonObject { ["kind"] = watcher.Type.Kind, ["apiVersion"] = watcher.Type.ApiVersion, ["metadata"] = metadata };
    }

    /// <summary>Ends every open watch stream (the client sees the response end and must re-watch).</summary>
    public int DropAll()
    {
        var all = Snapshot();
        lock (_gate) _watchers.Clear();
        foreach (var watcher in all) watcher.Close();
        return all.Count;
    }

    private List<Watcher> Snapshot()
    {
        lock (_gate) return [.. _watchers];
    }
}
