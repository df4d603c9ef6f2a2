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
        options.ThrowIfInvalid();
        var writer = new RepositoryFileWriter(destination);
        ct.ThrowIfCancellationRequested();

        using var input = OpenSource(source);
        var length = RandomAccess.GetLength(input);
        var header = options.RewriteBacking is { } rewrite ? RewriteHeader(input, source, length, rewrite) : null;
        var extents = DataExtents.Find(input, length);
        if (header is not null) extents = DataExtents.Including(extents, new FileExtent(0, header.Length));
        var dataBytes = extents.Sum(e => e.Length);

        return await writer.WriteAsync(dataBytes, async (output, destinationError, token) =>
        {
            try { RandomAccess.SetLength(output, length); }
            catch (IOException e) { throw destinationError(e); }

            var pipeline = new CopyPipeline(input, source, output, length, extents, header, options, destinationError);
            var sha256 = await pipeline.RunAsync(token).ConfigureAwait(false);
            // Measured on the destination: zero blocks read from the source stayed holes there.
            return new CopyResult(length, DataBytes.Of(output), sha256);
        }, ct).ConfigureAwait(false);
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
}
