using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Testing.Repositories;

/// <summary>
/// The data bytes of a file measured independently of the engine: lseek(SEEK_DATA/SEEK_HOLE) walked
/// from the start, the sum of the data ranges. What manifests must record as a disk's bytes.
/// </summary>
public static partial class SparseFiles
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    public static long DataBytes(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var length = RandomAccess.GetLength(file);
        long total = 0, position = 0;
        while (position < length)
        {
            var data = Lseek(file, position, SeekData);
            if (data < 0) break; // ENXIO: no data after position
            var hole = Lseek(file, data, SeekHole);
            if (hole < 0) hole = length;
            total += Math.Min(hole, length) - data;
            position = hole;
        }
        return total;
    }

    /// <summary>
    /// <see cref="DataBytes"/> after an fsync, as the engine measures its files: before writeback,
    /// ext4 reports dirty pages over unwritten (zeroed) extents as data, and the figure shrinks later.
    /// </summary>
    public static long DataBytesOnDisk(string path)
    {
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) stream.Flush(flushToDisk: true);
        return DataBytes(path);
    }

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long Lseek(SafeFileHandle fd, long offset, int whence);
}
