using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// Turns the all-zero 64 KiB blocks of a file a tool wrote (qemu-img) into holes, as the copiers
/// leave them (<see cref="ZeroBlocks"/>): qemu-img stores each qcow2 metadata cluster whole, and
/// most of a 128 KiB L2 table or refcount block is zeros. The content any read returns is
/// unchanged, so the SHA-256 taken after is the same; only the bytes stored shrink.
/// </summary>
internal static class ZeroBlockHoles
{
    /// <summary>Punches the zero blocks of <paramref name="path"/>; returns the bytes punched (0 where the filesystem cannot punch; a range ending inside a filesystem block leaves that block allocated).</summary>
    public static long Punch(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var buffer = ArrayPool<byte>.Shared.Rent(ZeroBlocks.BlockSize);
        try
        {
            var freed = 0L;
            foreach (var extent in DataExtents.Find(file, RandomAccess.GetLength(file)))
            {
                // Blocks aligned on absolute 64 KiB boundaries, clipped to the extent, like qcow2's clusters.
                for (var start = extent.Offset; start < extent.End;)
                {
                    var end = Math.Min(extent.End, (start / ZeroBlocks.BlockSize + 1) * ZeroBlocks.BlockSize);
                    var block = buffer.AsSpan(0, (int)(end - start));
                    var read = RandomAccess.Read(file, block, start);
                    if (read == block.Length && !block.ContainsAnyExcept((byte)0))
                    {
                        if (!LinuxFile.PunchHole(file, start, block.Length)) return freed;
                        freed += block.Length;
                    }
                    start = end;
                }
            }
            return freed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
