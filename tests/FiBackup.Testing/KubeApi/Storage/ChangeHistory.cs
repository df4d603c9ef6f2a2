namespace FiBackup.Testing.KubeApi.Storage;

/// <summary>
/// The bounded window of recent changes a watch can resume from (kube-apiserver's watch cache / etcd
/// compaction). A resourceVersion older than the window gets 410 Gone.
/// </summary>
public sealed class ChangeHistory(int capacity)
{
    private readonly Queue<StoredEvent> _events = new();

    /// <summary>Every change after this revision is still held; resuming from an older revision is impossible.</summary>
    public long Floor { get; private set; }

    public void Append(StoredEvent change)
    {
        _events.Enqueue(change);
        while (_events.Count > capacity) Floor = _events.Dequeue().Revision;
    }

    public bool CanResumeFrom(long revision) => revision >= Floor;

    public IEnumerable<StoredEvent> Since(long revision) => _events.Where(e => e.Revision > revision);

    /// <summary>Forgets everything up to <paramref name="revision"/>, like an etcd compaction.</summary>
    public void Compact(long revision)
    {
        while (_events.Count > 0 && _events.Peek().Revision <= revision) _events.Dequeue();
        Floor = Math.Max(Floor, revision);
    }
}
