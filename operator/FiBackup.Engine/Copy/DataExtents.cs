using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>A byte range of a file.</summary>
internal readonly record struct FileExtent(long Offset, long Length)
{
    public long End => Offset + Length;
}

/// <summary>
/// The ranges of a file that hold data, found with lseek(SEEK_DATA/SEEK_HOLE); everything else is a
/// hole that reads as zeros. Where the filesystem cannot tell, the whole file counts as data.
/// </summary>
internal static class DataExtents
{
    public static IReadOnlyList<FileExtent> Find(SafeFileHandle file, long length)
    {
        var extents = new List<FileExtent>();
        var position = 0L;
        while (position < length)
        {
            switch (LinuxFile.NextData(file, position, out var dataStart))
            {
                case LinuxFile.SeekResult.NoMoreData:
                    return extents;
                case LinuxFile.SeekResult.NotSupported:
                    return length == 0 ? [] : [new FileExtent(0, length)];
            }
            if (dataStart >= length) break;
            // The end of file counts as a hole, so SEEK_HOLE always finds one after data.
            var dataEnd = LinuxFile.NextHole(file, dataStart, out var holeStart) == LinuxFile.SeekResult.Found
                ? Math.Min(holeStart, length)
                : length;
            extents.Add(new FileExtent(dataStart, dataEnd - dataStart));
            position = dataEnd;
        }
        return extents;
    }

    /// <summary>The extents with <paramref name="range"/> added as data (merged with what it touches).</summary>
    public static IReadOnlyList<FileExtent> Including(IReadOnlyList<FileExtent> extents, FileExtent range)
    {
        if (range.Length <= 0) return extents;
        var result = new List<FileExtent>(extents.Count + 1);
        var pending = range;
        var placed = false;
        foreach (var extent in extents)
        {
            if (placed || extent.End < pending.Offset) { result.Add(extent); continue; }
            if (extent.Offset > pending.End)
            {
                result.Add(pending);
                result.Add(extent);
                placed = true;
                continue;
            }
            var start = Math.Min(extent.Offset, pending.Offset);
            pending = new FileExtent(start, Math.Max(extent.End, pending.End) - start);
        }
        if (!placed) result.Add(pending);
        return result;
    }
}
