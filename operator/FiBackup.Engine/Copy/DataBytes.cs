using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// What a repository file stores: the sum of its data extents (lseek SEEK_DATA/SEEK_HOLE), not its
/// length, which counts the holes of a sparse file too. It is the figure the sparse copier reports
/// for what it wrote, and what manifests record as a disk's <c>bytes</c>.
/// </summary>
public static class DataBytes
{
    public static long Of(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        return Of(file);
    }

    /// <summary>The same, of a file open for writing: what a copier stored, after it skipped zero blocks.</summary>
    public static long Of(SafeFileHandle file) => DataExtents.Find(file, RandomAccess.GetLength(file)).Sum(e => e.Length);
}
