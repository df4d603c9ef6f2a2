namespace FiBackup.Engine.Copy;

/// <summary>
/// Reports copy progress at most every <see cref="Interval"/> on the injected clock: once at the
/// start, as data is written, and the total at the end. Values only grow.
/// </summary>
internal sealed class CopyProgressReporter(IProgress<CopyProgress>? sink, long total, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private long _done;
    private long _lastReport = time.GetTimestamp();

    public long Done => _done;

    public void Start() => sink?.Report(new CopyProgress(0, total));

    public void Add(long bytes)
    {
        _done += bytes;
        if (sink is null) return;
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_lastReport, now) < Interval) return;
        _lastReport = now;
        sink.Report(new CopyProgress(Math.Min(_done, total), total));
    }

    public void Complete() => sink?.Report(new CopyProgress(total, total));
}
