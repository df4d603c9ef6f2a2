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
        return DataExtents.Find(file, RandomAccess.GetLength(file)).Sum(e => e.Length);
    }
}
