using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using FiBackup.Engine.Errors;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// One pass over the source on two threads that hand a small fixed set of buffers along:
/// read + SHA-256 on one, write on the other, so hashing goes on while a write waits for the disk
/// (a third thread for hashing alone cost more CPU than it saved: the data went cold in cache; nor
/// was hashing on one thread while another read and wrote faster: the hash, the longest stage, ran
/// at half speed on data another core had just filled). A third thread only waits in fdatasync
/// (<see cref="BackgroundFlush"/>).
/// Holes are never read or written but are hashed as the zeros they read as; the destination
/// must already have the source's length (set with ftruncate), so what is not written reads as zeros.
/// </summary>
internal sealed class CopyPipeline(
    SafeFileHandle source, string sourcePath,
    SafeFileHandle destination,
    long length, IReadOnlyList<FileExtent> extents,
    ReadOnlyMemory<byte> headerOverride,
    CopyOptions options, Func<IOException, Exception> destinationError)
{
    private const int BufferCount = 6;

    /// <summary>A run of data read from the source, in file order.</summary>
    private readonly record struct Chunk(long Offset, int Length, byte[] Buffer);

    private readonly BlockingCollection<byte[]> _free = [];
    private readonly BlockingCollection<Chunk> _toWrite = [];
    private string? _sha256;

    public long DataBytes { get; } = extents.Sum(e => e.Length);

    /// <summary>Copies everything; returns the SHA-256 (lower-case hex) of the destination's content.</summary>
    public async Task<string> RunAsync(CancellationToken ct)
    {
        var bufferSize = (int)Math.Min(options.BufferSize, Math.Max(DataBytes, 4096));
        for (var i = 0; i < BufferCount; i++) _free.Add(GC.AllocateUninitializedArray<byte>(bufferSize));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = new CopyProgressReporter(options.Progress, DataBytes, options.Time);
        progress.Start();
        Task[] stages =
        [
            Stage(() => ReadAndHash(bufferSize, stop.Token), stop),
            Stage(() => Write(progress, stop.Token), stop),
        ];
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch
        {
            // A stage that failed cancels the others; report its error, not their cancellation.
            var failure = stages.Where(s => s.IsFaulted).Select(s => s.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
            ct.ThrowIfCancellationRequested();
            throw;
        }
        finally
        {
            _free.Dispose();
            _toWrite.Dispose();
        }
        progress.Complete();
        return _sha256!;
    }

    private static Task Stage(Action body, CancellationTokenSource stop) =>
        Task.Factory.StartNew(() =>
        {
            try { body(); }
            catch { stop.Cancel(); throw; }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Reads each chunk and hashes it right away, while the kernel's copy of it is still in the
    /// CPU cache; holes are hashed as zeros without being read.
    /// </summary>
    private void ReadAndHash(int bufferSize, CancellationToken ct)
    {
        var bucket = options.BandwidthBytesPerSecond is { } rate ? TokenBucket.ForRate(rate, options.Time) : null;
        var chunkSize = options.BandwidthBytesPerSecond is { } r ? TokenBucket.ChunkSizeFor(r, bufferSize) : bufferSize;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var position = 0L;
        foreach (var extent in extents)
        {
            ZeroBlocks.Hash(sha, extent.Offset - position);
            for (var offset = extent.Offset; offset < extent.End;)
            {
                var count = (int)Math.Min(chunkSize, extent.End - offset);
                bucket?.TakeAsync(count, ct).AsTask().GetAwaiter().GetResult();
                var buffer = _free.Take(ct);
                var chunk = buffer.AsSpan(0, count);
                ReadExactly(chunk, offset);
                Overlay(chunk, offset);
                sha.AppendData(chunk);
                _toWrite.Add(new Chunk(offset, count, buffer), ct);
                offset += count;
            }
            position = extent.End;
        }
        ZeroBlocks.Hash(sha, length - position);
        _toWrite.CompleteAdding();
        _sha256 = Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                var read = RandomAccess.Read(source, buffer, offset);
                if (read == 0)
                    throw new FibackupException(ErrorReason.CopyFailed,
                        $"source image {sourcePath} became shorter while it was being copied (it must not change during a backup)");
                buffer = buffer[read..];
                offset += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot read source image {sourcePath}: {e.Message}", inner: e);
        }
    }

    /// <summary>Puts the rewritten qcow2 header where the source's first cluster was read.</summary>
    private void Overlay(Span<byte> chunk, long offset)
    {
        if (offset >= headerOverride.Length) return;
        var header = headerOverride.Span[(int)offset..];
        header[..Math.Min(header.Length, chunk.Length)].CopyTo(chunk);
    }

    /// <summary>
    /// Writes the chunks in order; along the way keeps the disk busy (writeback windows, flushes in the
    /// background) and asks for the source's next data ahead of the reading thread.
    /// </summary>
    private void Write(CopyProgressReporter progress, CancellationToken ct)
    {
        var writeback = new Writeback(destination, Writeback.DefaultWindowBytes);
        var readAhead = new ReadAhead(extents, ReadAheadDistance(),
            range => LinuxFile.Advise(source, range.Offset, range.Length, LinuxFile.FadviseWillNeed));
        // Disposed (its thread joined) before this returns, so it never uses the handle after the copier closes it.
        using var flush = new BackgroundFlush(() => LinuxFile.Fdatasync(destination));
        try
        {
            readAhead.Consumed(0);
            foreach (var chunk in _toWrite.GetConsumingEnumerable(ct))
            {
                var data = chunk.Buffer.AsSpan(0, chunk.Length);
                if (options.SkipZeroBlocks) ZeroBlocks.WriteSkippingZeros(destination, data, chunk.Offset);
                else RandomAccess.Write(destination, data, chunk.Offset);
                _free.Add(chunk.Buffer, ct);
                writeback.WrittenUpTo(chunk.Offset + chunk.Length);
                flush.WrittenUpTo(chunk.Offset + chunk.Length);
                progress.Add(chunk.Length);
                readAhead.Consumed(progress.Done);
            }
            flush.Complete();
        }
        catch (IOException e)
        {
            throw destinationError(e);
        }
    }

    /// <summary>
    /// A limited copy reads ahead about a second's worth, so pages read early are not evicted
    /// before the copy gets to them; an unlimited one <see cref="ReadAhead.DefaultDistanceBytes"/>.
    /// </summary>
    private long ReadAheadDistance() => options.BandwidthBytesPerSecond is { } rate
        ? Math.Clamp(rate, options.BufferSize, ReadAhead.DefaultDistanceBytes)
        : ReadAhead.DefaultDistanceBytes;
}
