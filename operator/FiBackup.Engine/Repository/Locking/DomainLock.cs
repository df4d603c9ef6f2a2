using System.Runtime.InteropServices;
using FiBackup.Engine.Errors;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// One operation per domain (invariant 5) for the CLI: an exclusive flock(2) on a lock file. The
/// kernel drops the lock when the holder's process ends, however it ends (kill -9 included), so a
/// crash never leaves a stale lock. The holder writes who it is into the file for the busy message.
/// Lock files are never deleted: unlinking one while another process waits on it would let two
/// processes lock different inodes of the same name.
/// </summary>
/// <remarks>
/// The file is opened with open(2), not FileStream: .NET takes its own flock for FileShare, which
/// would make the holder's description unreadable to the process that has to report it.
/// </remarks>
public sealed partial class DomainLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan UnnamedHolderGrace = TimeSpan.FromSeconds(1);

    private SafeFileHandle? _file;

    private DomainLock(SafeFileHandle file, string path, DomainLockHolder holder)
    {
        _file = file;
        Path = path;
        Holder = holder;
    }

    public string Path { get; }
    public DomainLockHolder Holder { get; }

    /// <summary>
    /// Takes the lock, retrying for up to <paramref name="wait"/>; then throws a
    /// <see cref="BusyException"/> naming the holder. <paramref name="description"/> says what this
    /// process is doing ("fibackup backup"); <paramref name="domain"/> names the domain in messages.
    /// The lock file's folder is created when missing.
    /// </summary>
    public static DomainLock Acquire(string lockFilePath, string description, TimeSpan wait, CancellationToken ct,
        string? domain = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(lockFilePath);
        ArgumentException.ThrowIfNullOrEmpty(description);
        time ??= TimeProvider.System;
        var path = System.IO.Path.GetFullPath(lockFilePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);

        var file = Open(path, O_RDWR | O_CREAT | O_CLOEXEC);
        try
        {
            var started = time.GetTimestamp();
            while (!TryLock(file, path))
            {
                var remaining = wait - time.GetElapsedTime(started);
                // Locked with no holder written: a holder in the instant between its flock and its write,
                // or a child process forked by the last holder (it shares the open file until its exec
                // closes it, O_CLOEXEC notwithstanding). Both pass within milliseconds; look again briefly.
                if (remaining <= TimeSpan.Zero && time.GetElapsedTime(started) < UnnamedHolderGrace && ReadHolder(path) is null)
                    remaining = TimeSpan.FromMilliseconds(20);
                if (remaining <= TimeSpan.Zero) throw Busy(path, domain, wait);
                Task.Delay(remaining < RetryInterval ? remaining : RetryInterval, time, ct).GetAwaiter().GetResult();
            }
            var holder = new DomainLockHolder(Environment.ProcessId, description, time.GetUtcNow(), Environment.MachineName, domain);
            RandomAccess.SetLength(file, 0);
            RandomAccess.Write(file, [.. holder.ToJson(), (byte)'\n'], 0);
            return new DomainLock(file, path, holder);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Who holds the lock file now, when it says so; null when it is free or the holder has not written yet.</summary>
    public static DomainLockHolder? ReadHolder(string lockFilePath)
    {
        // O_RDONLY and no flock of our own: reading must work while another process holds the lock.
        SafeFileHandle file;
        try { file = Open(System.IO.Path.GetFullPath(lockFilePath), O_RDONLY | O_CLOEXEC); }
        catch (IOException) { return null; }
        using (file)
        {
            var buffer = new byte[4096];
            var length = RandomAccess.Read(file, buffer, 0);
            return DomainLockHolder.TryParse(buffer.AsSpan(0, length));
        }
    }

    /// <summary>Releases the lock; the holder description is cleared first so nobody reads it as current.</summary>
    public void Dispose()
    {
        var file = Interlocked.Exchange(ref _file, null);
        if (file is null) return;
        try { RandomAccess.SetLength(file, 0); }
        catch (IOException) { /* the lock is released by closing anyway */ }
        file.Dispose();
    }

    private static BusyException Busy(string path, string? domain, TimeSpan waited)
    {
        // Every busy message names the domain ("domain web-1 is busy", as the operator's Lease says too):
        // the caller's, else the one the holder wrote into the lock file.
        var holder = ReadHolder(path);
        var what = (domain ?? holder?.Domain) is { } name ? $"domain {name}" : "the domain of this lock";
        var who = holder?.ToString() ?? "another fibackup process";
        var after = waited > TimeSpan.Zero ? $" (waited {waited.TotalSeconds:0.#} s)" : "";
        return new BusyException($"{what} is busy: {who} holds {path}{after}; try again when it finishes");
    }

    private static bool TryLock(SafeFileHandle file, string path)
    {
        while (true)
        {
            if (flock((int)file.DangerousGetHandle(), LOCK_EX | LOCK_NB) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EWOULDBLOCK) return false;
            if (errno == EINTR) continue;
            throw new IOException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    private static SafeFileHandle Open(string path, int flags)
    {
        var fd = open(path, flags, 0b110_100_100); // rw-r--r--
        if (fd >= 0) return new SafeFileHandle(fd, ownsHandle: true);
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"cannot open lock file {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    // Linux x86-64/arm64 values.
    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int EINTR = 4;
    private const int EWOULDBLOCK = 11;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
