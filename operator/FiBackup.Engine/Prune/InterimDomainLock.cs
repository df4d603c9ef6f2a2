using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Prune;

/// <summary>
/// Holds <see cref="DomainLayout.LockFile"/> exclusively while a prune runs (invariant 5).
/// Interim: stands in for Repository/Locking/DomainLock until that lands; swap it there.
/// .NET takes FileShare.None on Linux as an flock(LOCK_EX | LOCK_NB), so another process, or
/// another open of the file in this one, is refused at once instead of waiting.
/// </summary>
public sealed class InterimDomainLock : IDisposable
{
    private readonly FileStream _stream;

    private InterimDomainLock(FileStream stream) => _stream = stream;

    public static InterimDomainLock Acquire(DomainLayout layout, string operation)
    {
        try
        {
            return new InterimDomainLock(new FileStream(layout.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new BusyException(
                $"{layout.Host}/{layout.Domain} is busy: another fibackup operation holds {layout.LockFile}; run the {operation} again when it finishes");
        }
    }

    public void Dispose() => _stream.Dispose();
}
