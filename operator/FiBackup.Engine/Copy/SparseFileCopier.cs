using FiBackup.Engine.Errors;
using FiBackup.Engine.Qcow2;
using FiBackup.Engine.Repository;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// Puts one image into the repository (invariant 3): copies only its data extents into
/// "&lt;destination&gt;.partial" (holes stay holes), hashes the destination's content in the same
/// pass, fsyncs, and renames it into place. On any failure or cancellation nothing is left: neither
/// the partial file nor the destination.
/// </summary>
public sealed class SparseFileCopier
{
    public async Task<CopyResult> CopyIntoRepositoryAsync(string source, string destination, CopyOptions options,
        CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BandwidthBytesPerSecond is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.BandwidthBytesPerSecond,
                "the bandwidth limit must be positive (null means unlimited)");
        destination = Path.GetFullPath(destination);
        if (File.Exists(destination))
            throw new FibackupException(ErrorReason.FileConflict,
                $"repository file {destination} already exists; repository files are never overwritten");
        ct.ThrowIfCancellationRequested();

        using var input = OpenSource(source);
        var length = RandomAccess.GetLength(input);
        var header = options.RewriteBacking is { } rewrite ? RewriteHeader(input, source, length, rewrite) : null;
        var extents = DataExtents.Find(input, length);
        if (header is not null) extents = DataExtents.Including(extents, new FileExtent(0, header.Length));
        var dataBytes = extents.Sum(e => e.Length);

        var folder = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(folder);
        var freeAtStart = FreeBytes(folder);
        Exception DestinationError(IOException e) => RepositoryFullException.IsDiskFull(e)
            ? new RepositoryFullException(destination, dataBytes, freeAtStart, e)
            : new FibackupException(ErrorReason.CopyFailed, $"cannot write repository file {destination}: {e.Message}", inner: e);

        var partial = AtomicFile.PartialPathFor(destination);
        // Opened before the clean-up below applies: a partial file another copy holds is not ours to delete.
        var output = OpenPartial(partial, DestinationError);
        try
        {
            string sha256;
            using (output)
            {
                try { RandomAccess.SetLength(output, length); }
                catch (IOException e) { throw DestinationError(e); }

                var pipeline = new CopyPipeline(input, source, output, length, extents, header, options,
                    DestinationError);
                sha256 = await pipeline.RunAsync(ct).ConfigureAwait(false);

                try { LinuxFile.Fsync(output); }
                catch (IOException e) { throw DestinationError(e); }
                // Nobody reads a fresh backup soon: leave the page cache to the VMs.
                LinuxFile.Advise(output, 0, 0, LinuxFile.FadviseDontNeed);
            }
            try { AtomicFile.Commit(partial, destination); }
            catch (IOException e) { throw new FibackupException(ErrorReason.CopyFailed, $"cannot put {destination} in place: {e.Message}", inner: e); }
            return new CopyResult(length, dataBytes, sha256);
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
    }

    private static SafeFileHandle OpenSource(string source)
    {
        try
        {
            // SequentialScan = posix_fadvise(SEQUENTIAL): larger readahead for the extent walk.
            return File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"source image {source} does not exist (was it removed while the backup ran?)", inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot open source image {source}: {e.Message}", inner: e);
        }
    }

    private static SafeFileHandle OpenPartial(string partial, Func<IOException, Exception> destinationError)
    {
        try
        {
            // A partial file left by a crashed run is replaced. FileShare.None takes an exclusive
            // flock first, so one that a running copy still writes is refused, not truncated.
            return File.OpenHandle(partial, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw destinationError(e);
        }
    }

    /// <summary>The source's first cluster with its backing file name and format replaced.</summary>
    private static byte[] RewriteHeader(SafeFileHandle input, string source, long length, Qcow2BackingRewrite rewrite)
    {
        try
        {
            var prefix = new byte[Math.Min(length, Qcow2Header.PrefixLength)];
            ReadFully(input, prefix, 0);
            var cluster = new byte[BackingRewrite.FirstClusterLength(prefix, length, source)];
            ReadFully(input, cluster, 0);
            return BackingRewrite.Apply(cluster, source, rewrite);
        }
        catch (InvalidDataException e)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot rewrite the backing file of {source}: {e.Message}", inner: e);
        }
        catch (IOException e)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot read source image {source}: {e.Message}", inner: e);
        }
    }

    private static void ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0) throw new InvalidDataException("the file ends inside its header");
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static long? FreeBytes(string folder)
    {
        try { return new DriveInfo(folder).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* reported error matters more */ }
    }
}
