namespace FiBackup.Engine;

/// <summary>
/// An IProgress that calls its handler on the reporting thread, in order. (Progress&lt;T&gt; posts
/// to the thread pool, so reports can arrive late and out of order.)
/// </summary>
public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
