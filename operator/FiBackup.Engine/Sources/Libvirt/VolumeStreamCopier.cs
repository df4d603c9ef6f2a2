using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Libvirt;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// Puts one host image into the repository through a libvirt volume download with the sparse-stream
/// flag (holes travel as lengths and stay holes): the bytes go into "&lt;destination&gt;.partial",
/// SHA-256 of the destination's content is computed in the same pass (holes as zeros), the qcow2
/// backing name is rewritten when asked (the first cluster is fetched first and the stream starts
/// after it), then fsync and rename as for every repository file. On failure, cancellation or a
/// dropped connection nothing is left at the destination.
/// </summary>
internal static class VolumeStreamCopier
{
    public static async Task<CopyResult> CopyAsync(StorageVolume volume, VolumeDescription description, string image,
        string destination, CopyOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var writer = new RepositoryFileWriter(destination);
        ct.ThrowIfCancellationRequested();

        var header = options.RewriteBacking is { } rewrite
            ? BackingRewrite.Apply(await VolumeHeader.ReadFirstClusterAsync(volume, description.Physical, image, ct), image, rewrite)
            : null;

        return await writer.WriteAsync(description.Allocation, async (output, destinationError, token) =>
        {
            using var sink = new Sink(output, options, description.Allocation, destinationError);
            if (header is not null) sink.Data(header);
            await ReceiveIntoAsync(volume, sink, token);
            if (sink.Position < description.Physical)
                throw new FibackupException(ErrorReason.CopyFailed,
                    $"source image {image} ended at {sink.Position} bytes, {description.Physical} expected (it must not change during a backup)");
            sink.Finish();
            // Measured on the destination: zero blocks received stayed holes there.
            return new CopyResult(sink.Position, DataBytes.Of(output), sink.Sha256!);
        }, ct);
    }

    /// <summary>
    /// Receiving (libvirt's RPC decoding on this side) and hashing + writing run on two threads, a
    /// few 256 KiB packets apart, so one does not wait for the other; the bandwidth limit applies
    /// to receiving, i.e. to the network.
    /// </summary>
    private static async Task ReceiveIntoAsync(StorageVolume volume, Sink sink, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queue = Channel.CreateBounded<Packet>(new BoundedChannelOptions(PacketsInFlight) { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var packet in queue.Reader.ReadAllAsync(stop.Token))
                {
                    if (packet.Buffer is null) sink.Hole(packet.Length);
                    else
                    {
                        try { sink.Data(packet.Buffer.AsSpan(0, (int)packet.Length)); }
                        finally { ArrayPool<byte>.Shared.Return(packet.Buffer); }
                    }
                }
            }
            catch
            {
                stop.Cancel(); // the receiving side stops too instead of waiting for room in the queue
                throw;
            }
        }, CancellationToken.None);
        try
        {
            await volume.DownloadAsync((ulong)sink.Position, 0, sparse: true,
                async (data, token) =>
                {
                    await sink.ThrottleAsync(data.Length, token);
                    var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
                    data.CopyTo(buffer);
                    await queue.Writer.WriteAsync(new Packet(buffer, data.Length), token);
                },
                (hole, token) => queue.Writer.WriteAsync(new Packet(null, hole), token), stop.Token);
            queue.Writer.Complete();
        }
        catch (Exception e)
        {
            queue.Writer.TryComplete(e);
            stop.Cancel();
            // The writer's own failure (a full disk) is the cause of the cancellation: report it.
            try { await writer; }
            catch (Exception writeError) when (writeError is not OperationCanceledException) { ExceptionDispatchInfo.Throw(writeError); }
            catch (OperationCanceledException) { }
            throw;
        }
        await writer;
    }

    private const int PacketsInFlight = 8;

    /// <summary>A run of data (a pooled buffer) or, with a null buffer, a hole of <paramref name="Length"/> bytes.</summary>
    private readonly record struct Packet(byte[]? Buffer, long Length);

    /// <summary>The destination side of one copy: position, hash, zero-block skipping, throttle and progress.</summary>
    private sealed class Sink(SafeFileHandle output, CopyOptions options, long expectedData, Func<IOException, Exception> destinationError) : IDisposable
    {
        private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly TokenBucket? bucket = options.BandwidthBytesPerSecond is { } rate ? TokenBucket.ForRate(rate, options.Time) : null;
        private readonly CopyProgressReporter progress = Started(new CopyProgressReporter(options.Progress, Math.Max(expectedData, 1), options.Time));

        public long Position { get; private set; }
        public string? Sha256 { get; private set; }

        public ValueTask ThrottleAsync(int bytes, CancellationToken ct) => bucket?.TakeAsync(bytes, ct) ?? ValueTask.CompletedTask;

        public void Data(ReadOnlySpan<byte> data)
        {
            sha.AppendData(data);
            try
            {
                if (options.SkipZeroBlocks) ZeroBlocks.WriteSkippingZeros(output, data, Position);
                else RandomAccess.Write(output, data, Position);
            }
            catch (IOException e)
            {
                throw destinationError(e);
            }
            Position += data.Length;
            progress.Add(data.Length);
        }

        public void Hole(long length)
        {
            ZeroBlocks.Hash(sha, length);
            Position += length;
        }

        /// <summary>Sets the file's length (a trailing hole is not written) and takes the hash.</summary>
        public void Finish()
        {
            try { RandomAccess.SetLength(output, Position); }
            catch (IOException e) { throw destinationError(e); }
            Sha256 = Convert.ToHexStringLower(sha.GetHashAndReset());
            progress.Complete();
        }

        public void Dispose() => sha.Dispose();

        private static CopyProgressReporter Started(CopyProgressReporter reporter)
        {
            reporter.Start();
            return reporter;
        }
    }
}
