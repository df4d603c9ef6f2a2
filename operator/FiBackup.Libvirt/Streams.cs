using System.Buffers;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

public sealed partial class StorageVolume
{
    private const int ChunkSize = 256 * 1024; // libvirt's stream packets carry at most 256 KiB

    /// <summary>
    /// Copies the volume's bytes (the file as stored, e.g. the qcow2 file itself) into
    /// <paramref name="destination"/> through a libvirt stream, so it works on a remote host too.
    /// With <paramref name="sparse"/> holes travel as lengths, not zeros; on a seekable destination
    /// they are skipped by seeking, so a sparse file stays sparse.
    /// </summary>
    public Task DownloadAsync(Stream destination, bool sparse, CancellationToken ct) =>
        DownloadAsync(destination, 0, 0, sparse, ct);

    /// <summary>
    /// Like <see cref="DownloadAsync(Stream, bool, CancellationToken)"/>, for <paramref name="length"/>
    /// bytes from <paramref name="offset"/> (length 0: to the end), e.g. only an image's header.
    /// </summary>
    public async Task DownloadAsync(Stream destination, ulong offset, ulong length, bool sparse, CancellationToken ct)
    {
        long pendingHole = 0;
        await DownloadAsync(offset, length, sparse,
            async (data, token) =>
            {
                if (pendingHole > 0)
                {
                    destination.Seek(pendingHole, SeekOrigin.Current);
                    pendingHole = 0;
                }
                await destination.WriteAsync(data, token).ConfigureAwait(false);
            },
            async (hole, token) =>
            {
                if (destination.CanSeek) pendingHole += hole;
                else await WriteZerosAsync(destination, hole, token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        if (pendingHole > 0)
            destination.SetLength(destination.Seek(pendingHole, SeekOrigin.Current));
        await destination.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives the volume's bytes in order: <paramref name="onData"/> with each run of data (the
    /// memory is reused once it returns), and with <paramref name="sparse"/> <paramref name="onHole"/>
    /// with the length of each hole, which never travels as zeros. The stream is finished only
    /// after the last callback returned, and aborted on any failure or cancellation.
    /// </summary>
    public async Task DownloadAsync(ulong offset, ulong length, bool sparse,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> onData,
        Func<long, CancellationToken, ValueTask> onHole,
        CancellationToken ct)
    {
        using var stream = NewStream();
        LibvirtException.Check(NativeMethods.virStorageVolDownload(Handle, stream, offset, length,
            sparse ? NativeMethods.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0), "virStorageVolDownload");
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var finished = false;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var read = await Task.Run(() => Receive(stream, buffer, sparse), ct).ConfigureAwait(false);
                if (read == 0) break;
                if (read < 0)
                {
                    var hole = await Task.Run(() => ReceiveHole(stream), ct).ConfigureAwait(false);
                    await onHole(hole, ct).ConfigureAwait(false);
                    continue;
                }
                await onData(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            LibvirtException.Check(NativeMethods.virStreamFinish(stream), "virStreamFinish");
            finished = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!finished) AbortQuietly(stream);
        }
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes of <paramref name="source"/> into the volume from its
    /// start through a libvirt stream. With <paramref name="sparse"/> all-zero chunks are sent as
    /// holes, which the daemon leaves unallocated.
    /// </summary>
    public async Task UploadAsync(Stream source, ulong length, bool sparse, CancellationToken ct)
    {
        using var stream = NewStream();
        LibvirtException.Check(NativeMethods.virStorageVolUpload(Handle, stream, 0, length,
            sparse ? NativeMethods.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0), "virStorageVolUpload");
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var finished = false;
        try
        {
            var remaining = length;
            while (remaining > 0)
            {
                ct.ThrowIfCancellationRequested();
                var want = (int)Math.Min((ulong)ChunkSize, remaining);
                var read = await source.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (read == 0)
                    throw new EndOfStreamException($"the source ended {remaining} bytes before the {length} bytes to upload into {Path}");
                var chunk = new ReadOnlyMemory<byte>(buffer, 0, read);
                if (sparse && !chunk.Span.ContainsAnyExcept((byte)0))
                    await Task.Run(() => LibvirtException.Check(NativeMethods.virStreamSendHole(stream, read, 0), "virStreamSendHole"), ct).ConfigureAwait(false);
                else
                    await Task.Run(() => Send(stream, chunk), ct).ConfigureAwait(false);
                remaining -= (ulong)read;
            }
            LibvirtException.Check(NativeMethods.virStreamFinish(stream), "virStreamFinish");
            finished = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!finished) AbortQuietly(stream);
        }
    }

    private StreamHandle NewStream() =>
        LibvirtException.Check(NativeMethods.virStreamNew(Connection.Handle, 0), "virStreamNew");

    /// <summary>Bytes received, 0 at the end, -1 when the stream is at a hole (sparse only).</summary>
    private static unsafe int Receive(StreamHandle stream, byte[] buffer, bool sparse)
    {
        fixed (byte* data = buffer)
        {
            var result = NativeMethods.virStreamRecvFlags(stream, data, (nuint)ChunkSize,
                sparse ? NativeMethods.VIR_STREAM_RECV_STOP_AT_HOLE : 0);
            return result switch
            {
                >= 0 => result,
                -3 => -1,
                _ => throw LibvirtException.FromLastError("virStreamRecvFlags"),
            };
        }
    }

    private static long ReceiveHole(StreamHandle stream)
    {
        LibvirtException.Check(NativeMethods.virStreamRecvHole(stream, out var length, 0), "virStreamRecvHole");
        return length;
    }

    private static unsafe void Send(StreamHandle stream, ReadOnlyMemory<byte> chunk)
    {
        fixed (byte* data = chunk.Span)
        {
            var sent = 0;
            while (sent < chunk.Length)
                sent += LibvirtException.Check(NativeMethods.virStreamSend(stream, data + sent, (nuint)(chunk.Length - sent)), "virStreamSend");
        }
    }

    private static async Task WriteZerosAsync(Stream destination, long length, CancellationToken ct)
    {
        var zeros = new byte[(int)Math.Min(length, ChunkSize)];
        for (var left = length; left > 0; left -= zeros.Length)
            await destination.WriteAsync(zeros.AsMemory(0, (int)Math.Min(left, zeros.Length)), ct).ConfigureAwait(false);
    }

    private static void AbortQuietly(StreamHandle stream)
    {
        if (NativeMethods.virStreamAbort(stream) < 0) NativeMethods.virResetLastError();
    }
}
