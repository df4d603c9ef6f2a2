namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// The CLI's domain locks: a <see cref="DomainLock"/> (flock) on
/// &lt;directory&gt;/&lt;hypervisor id&gt;-&lt;domain uuid&gt;.lock, in $FIBACKUP_LOCK_DIR or
/// /run/lock/fibackup by default. Keyed by identity, not by URI or name, so every way of reaching
/// one host contends for the same file.
/// </summary>
public sealed class FileDomainLocks(string? directory = null) : IDomainLocks
{
    public string Directory { get; } = Path.GetFullPath(directory
        ?? (Environment.GetEnvironmentVariable(DomainLockPaths.DirectoryVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment : DomainLockPaths.DefaultDirectory));

    /// <summary>How long to wait for a holder to finish before giving up as busy.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string PathFor(DomainLockKey key) =>
        Path.Combine(Directory, $"{DomainLockPaths.Sanitize(key.HypervisorId)}-{key.DomainUuid:D}.lock");

    public Task<IAsyncDisposable> AcquireAsync(DomainLockKey key, string purpose, CancellationToken ct)
    {
        // DomainLock waits synchronously; run it off the caller's thread when it may wait at all.
        if (LockWait <= TimeSpan.Zero)
            return Task.FromResult<IAsyncDisposable>(new Held(DomainLock.Acquire(PathFor(key), purpose, LockWait, ct, key.DomainName, Time)));
        return Task.Run<IAsyncDisposable>(() => new Held(DomainLock.Acquire(PathFor(key), purpose, LockWait, ct, key.DomainName, Time)), ct);
    }

    private sealed class Held(DomainLock held) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            held.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
