namespace FiBackup.Engine.Copy;

/// <summary>
/// Asks the kernel to read the source's data a fixed distance ahead of the copy, extent by extent,
/// skipping holes (reading ahead a hole would only fill the page cache with zeros).
/// The writing thread drives it, so the cost of starting those reads — posix_fadvise(WILLNEED)
/// allocates the pages and submits the I/O, then returns without waiting for it — is off the
/// reading thread, which is the copy's critical path (it reads and hashes).
/// </summary>
/// <remarks>
/// Measured (bench/RESULTS.md): with the data already read when the hash reaches it the copy's
/// times stopped swinging; without it some runs paid up to a second more kernel time in the reads.
/// </remarks>
internal sealed class ReadAhead(IReadOnlyList<FileExtent> extents, long distanceBytes, Action<FileExtent> advise)
{
    public const long DefaultDistanceBytes = 64L << 20;

    private int _extent;       // the extent the next advice starts in
    private long _offset;      // where in it (a file offset); extents[_extent].Offset when not yet started
    private long _advised;     // data bytes advised so far
    private bool _started;

    /// <summary>
    /// <paramref name="dataBytesDone"/> data bytes have been copied: the next
    /// <c>distanceBytes</c> of data are asked for now, as far as they were not asked for before.
    /// </summary>
    public void Consumed(long dataBytesDone)
    {
        var target = dataBytesDone + distanceBytes;
        while (_advised < target && _extent < extents.Count)
        {
            var extent = extents[_extent];
            if (!_started) { _offset = extent.Offset; _started = true; }
            var length = Math.Min(target - _advised, extent.End - _offset);
            if (length > 0) advise(new FileExtent(_offset, length));
            _offset += length;
            _advised += length;
            if (_offset >= extent.End) { _extent++; _started = false; }
        }
    }
}
