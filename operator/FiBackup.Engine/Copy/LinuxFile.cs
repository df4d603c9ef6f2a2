using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// The few Linux file calls .NET does not expose: finding data extents (SEEK_DATA/SEEK_HOLE),
/// readahead and cache hints, starting writeback early, and fsync/fdatasync of a raw handle.
/// Every call degrades to "not supported" rather than failing where the filesystem cannot do it.
/// </summary>
internal static partial class LinuxFile
{
    private const int SeekData = 3;   // lseek(2): next offset >= the given one that holds data
    private const int SeekHole = 4;   // lseek(2): next offset >= the given one that is a hole (or EOF)
    private const int ENXIO = 6;      // SEEK_DATA past the last data extent
    private const int EINVAL = 22;    // whence not supported by this filesystem

    public const int FadviseWillNeed = 3;   // start reading the range into the page cache; does not wait for it
    public const int FadviseDontNeed = 4;

    private const uint SyncFileRangeWaitBefore = 1;
    private const uint SyncFileRangeWrite = 2;

    public enum SeekResult { Found, NoMoreData, NotSupported }

    /// <summary>lseek(SEEK_DATA): the first offset at or after <paramref name="from"/> that holds data.</summary>
    public static SeekResult NextData(SafeFileHandle file, long from, out long offset) =>
        Seek(file, from, SeekData, out offset);

    /// <summary>lseek(SEEK_HOLE): the first offset at or after <paramref name="from"/> that is a hole; EOF counts as one.</summary>
    public static SeekResult NextHole(SafeFileHandle file, long from, out long offset) =>
        Seek(file, from, SeekHole, out offset);

    private static SeekResult Seek(SafeFileHandle file, long from, int whence, out long offset)
    {
        offset = lseek(Fd(file), from, whence);
        if (offset >= 0) return SeekResult.Found;
        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            ENXIO => SeekResult.NoMoreData,
            EINVAL => SeekResult.NotSupported,
            _ => throw new IOException($"lseek failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno),
        };
    }

    /// <summary>A hint only: errors are ignored because the copy is correct without it.</summary>
    public static void Advise(SafeFileHandle file, long offset, long length, int advice) =>
        _ = posix_fadvise(Fd(file), offset, length, advice);

    /// <summary>
    /// Starts writeback of a written range and waits for the writeback of what was started before it
    /// (the range before <paramref name="offset"/>), so dirty pages stay bounded and the disk keeps
    /// streaming during the copy instead of receiving everything at the final fsync.
    /// </summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long length) =>
        _ = sync_file_range(Fd(file), offset, length, SyncFileRangeWrite);

    public static void WaitForWriteback(SafeFileHandle file, long offset, long length) =>
        _ = sync_file_range(Fd(file), offset, length, SyncFileRangeWaitBefore);

    /// <summary>fsync(2); a failure (ENOSPC, EIO on delayed allocation) is thrown as an IOException carrying errno.</summary>
    public static void Fsync(SafeFileHandle file)
    {
        if (fsync(Fd(file)) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"fsync failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    /// <summary>fdatasync(2): the data (and the metadata needed to read it) on stable storage; errors as <see cref="Fsync"/>.</summary>
    public static void Fdatasync(SafeFileHandle file)
    {
        if (fdatasync(Fd(file)) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    private static int Fd(SafeFileHandle file) => (int)file.DangerousGetHandle();

    [LibraryImport("libc", SetLastError = true)]
    private static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);
}
