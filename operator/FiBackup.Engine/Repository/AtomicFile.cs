using System.Runtime.InteropServices;

namespace FiBackup.Engine.Repository;

/// <summary>
/// The only way files enter the repository (invariant 3): written under "&lt;name&gt;.partial",
/// fsync'ed, renamed into place, and the directory fsync'ed so the rename survives a crash.
/// An existing file is never replaced.
/// </summary>
public static partial class AtomicFile
{
    public const string PartialSuffix = ".partial";

    public static string PartialPathFor(string path) => path + PartialSuffix;

    /// <summary>Writes a small document (manifest, journal) atomically; refuses to overwrite unless told.</summary>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, CancellationToken ct,
        bool replaceExisting = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = PartialPathFor(path);
        await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await stream.WriteAsync(content, ct);
            await stream.FlushAsync(ct);
            stream.Flush(flushToDisk: true);
        }
        Commit(partial, path, replaceExisting);
    }

    /// <summary>fsync of a file written by someone else (qemu-img convert, rebase), before it is hashed or renamed into place.</summary>
    public static void SyncFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Renames a finished, fsync'ed partial file into place and makes the rename durable.</summary>
    public static void Commit(string partialPath, string finalPath, bool replaceExisting = false)
    {
        if (!replaceExisting && File.Exists(finalPath))
            throw new IOException($"{finalPath} already exists; repository files are never overwritten");
        File.Move(partialPath, finalPath, overwrite: replaceExisting);
        SyncDirectory(Path.GetDirectoryName(finalPath)!);
    }

    /// <summary>
    /// fsync of a directory, so a rename or unlink in it is on disk. A directory that cannot be
    /// opened (e.g. write-only for this user) or whose fsync fails (EIO) is an error: a rename
    /// reported as done must survive a crash.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        var fd = open(directory, O_RDONLY | O_DIRECTORY);
        if (fd < 0) throw DirectorySyncFailed(directory, "cannot open it", Marshal.GetLastPInvokeError());
        try
        {
            if (fsync(fd) != 0) throw DirectorySyncFailed(directory, "fsync failed", Marshal.GetLastPInvokeError());
        }
        finally { _ = close(fd); }
    }

    private static IOException DirectorySyncFailed(string directory, string what, int errno) =>
        new($"cannot fsync directory {directory} ({what}: {Marshal.GetPInvokeErrorMessage(errno)}), so a file just renamed or deleted in it may not survive a crash; check the directory's permissions and the filesystem", errno);

    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000; // Linux x86-64/arm64

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
