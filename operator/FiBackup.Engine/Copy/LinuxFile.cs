using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// The few Linux file calls .NET does not expose: finding data extents (SEEK_DATA/SEEK_HOLE),
/// readahead and cache hints, starting writeback early, punching holes, and fsync/fdatasync of a raw handle.
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

    private const int FallocKeepSize = 1;   // fallocate(2): the file's length does not change
    private const int FallocPunchHole = 2;  // deallocate the range; it reads as zeros after
    private const int EOPNOTSUPP = 95;

    /// <summary>
    /// fallocate(PUNCH_HOLE | KEEP_SIZE): frees a range, which then reads as zeros. False where the
    /// filesystem cannot punch holes; other failures are thrown.
    /// </summary>
    public static bool PunchHole(SafeFileHandle file, long offset, long length)
    {
        if (fallocate(Fd(file), FallocPunchHole | FallocKeepSize, offset, length) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EOPNOTSUPP) return false;
        throw new IOException($"fallocate(PUNCH_HOLE) failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    private static int Fd(SafeFileHandle file) => (int)file.DangerousGetHandle();

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;   // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, u16 mode
    private const int FileTypeMask = 0xF000;  // S_IFMT
    private const int BlockDeviceType = 0x6000; // S_IFBLK
    private const int WriteAccess = 2;        // W_OK

    /// <summary>Whether <paramref name="path"/> is a block device (after symlinks, e.g. /dev/vg0/web → /dev/dm-3); false when it cannot be stat'ed.</summary>
    public static unsafe bool IsBlockDevice(string path)
    {
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return false;
        var mode = *(ushort*)(buffer + StatxModeOffset);
        return (mode & FileTypeMask) == BlockDeviceType;
    }

    /// <summary>
    /// access(W_OK) refused with EACCES, EPERM or EROFS: this process may not create files in
    /// <paramref name="directory"/>. Other failures (e.g. it does not exist here) say nothing of that: false.
    /// </summary>
    public static bool MayNotWrite(string directory)
    {
        if (access(directory, WriteAccess) == 0) return false;
        return Marshal.GetLastPInvokeError() is 1 or 13 or 30;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);
}
