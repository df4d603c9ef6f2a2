namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// One operation per domain (invariant 5), injected: the CLI takes flock files
/// (<see cref="FileDomainLocks"/>), the operator a Lease per domain.
/// </summary>
public interface IDomainLocks
{
    /// <summary>
    /// Holds the domain until the result is disposed. <paramref name="purpose"/> says what the
    /// holder does ("fibackup backup of web-1"), for the message a second caller gets: a
    /// <see cref="Errors.BusyException"/> (reason DomainBusy, retryable) naming the holder.
    /// </summary>
    Task<IAsyncDisposable> AcquireAsync(DomainLockKey key, string purpose, CancellationToken ct);
}
