using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Copy;

/// <summary>
/// Keeps a large copy's dirty pages bounded: after each window of written bytes it starts writeback
/// of that window, waits until the window before it is on disk, and drops that window from the page
/// cache. The disk then streams during the copy instead of taking everything at the final fsync,
/// and a backup does not push the VMs' own data out of the host's cache.
/// </summary>
internal sealed class Writeback(SafeFileHandle file, long windowBytes)
{
    public const long DefaultWindowBytes = 32L << 20;

    private long _windowStart;     // start of the window being written
    private long _flushingStart;   // the window whose writeback was started last
    private long _flushingEnd;

    /// <summary>Everything below <paramref name="end"/> has been written.</summary>
    public void WrittenUpTo(long end)
    {
        if (end - _windowStart < windowBytes) return;
        LinuxFile.StartWriteback(file, _windowStart, end - _windowStart);
        if (_flushingEnd > _flushingStart)
        {
            LinuxFile.WaitForWriteback(file, _flushingStart, _flushingEnd - _flushingStart);
            LinuxFile.Advise(file, _flushingStart, _flushingEnd - _flushingStart, LinuxFile.FadviseDontNeed);
        }
        (_flushingStart, _flushingEnd) = (_windowStart, end);
        _windowStart = end;
    }
}
