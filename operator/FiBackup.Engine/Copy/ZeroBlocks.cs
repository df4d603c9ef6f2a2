using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// Holes and zeros as both copiers (the local <see cref="CopyPipeline"/> and the remote volume
/// stream) treat them: a 64 KiB block of zeros inside the data is not written, so it stays a hole
/// in the repository file, and a hole still counts as zeros in the file's SHA-256.
/// </summary>
internal static class ZeroBlocks
{
    /// <summary>Granularity of zero detection: qcow2's default cluster size.</summary>
    public const int BlockSize = 64 << 10;

    private static readonly byte[] Zeros = new byte[1 << 20];

    /// <summary>Writes the runs of non-zero blocks of <paramref name="data"/> at <paramref name="offset"/>; all-zero blocks are skipped.</summary>
    public static void WriteSkippingZeros(SafeFileHandle destination, ReadOnlySpan<byte> data, long offset)
    {
        var runStart = -1;
        for (var block = 0; block < data.Length; block += BlockSize)
        {
            var isZero = !data.Slice(block, Math.Min(BlockSize, data.Length - block)).ContainsAnyExcept((byte)0);
            if (!isZero && runStart < 0) runStart = block;
            if (isZero && runStart >= 0)
            {
                RandomAccess.Write(destination, data[runStart..block], offset + runStart);
                runStart = -1;
            }
        }
        if (runStart >= 0) RandomAccess.Write(destination, data[runStart..], offset + runStart);
    }

    /// <summary>Adds <paramref name="count"/> zero bytes (a hole) to <paramref name="sha"/>.</summary>
    public static void Hash(IncrementalHash sha, long count)
    {
        for (; count > 0; count -= Zeros.Length) sha.AppendData(Zeros, 0, (int)Math.Min(count, Zeros.Length));
    }
}
