using System.Text.Json.Nodes;
using System.Threading.Channels;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Selectors;
using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi.Watch;

/// <summary>
/// One open watch: filters changes by namespace and selectors, and turns a change that moves an object into
/// or out of the selection into ADDED or DELETED, as kube-apiserver's cacher does.
/// </summary>
public sealed class Watcher(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, bool allowBookmarks)
{
    private readonly Channel<WatchMessage> _messages = Channel.CreateUnbounded<WatchMessage>(new() { SingleReader = true });

    public ResourceType Type => type;
    public bool AllowBookmarks => allowBookmarks;
    public ChannelReader<WatchMessage> Messages => _messages.Reader;

    public bool Selects(JsonObject served) =>
        (ns is null || (served["metadata"]?["namespace"]?.ToString() ?? "") == ns) && labels.Matches(served) && fields.Matches(served);

    /// <summary>Called with the store's gate held, so messages queue in revision order.</summary>
    public void Offer(StoredEvent change)
    {
        if (change.Resource != type.Storage) return;
        var current = type.ToServed(change.Object);
        var now = Selects(current);
        switch (change.Type)
        {
            case StoredEvent.Added when now:
            case StoredEvent.Deleted when now:
                Enqueue(new WatchMessage(change.Type, current));
                break;
            case StoredEvent.Modified:
                var before = change.Previous is not null && Selects(type.ToServed(change.Previous));
                if (now && before) Enqueue(new WatchMessage(StoredEvent.Modified, current));
                else if (now) Enqueue(new WatchMessage(StoredEvent.Added, current));
                else if (before) Enqueue(new WatchMessage(StoredEvent.Deleted, current));
                break;
        }
    }

    public void Enqueue(WatchMessage message) => _messages.Writer.TryWrite(message);

    public void Close() => _messages.Writer.TryComplete();
}
