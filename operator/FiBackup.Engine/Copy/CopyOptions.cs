namespace FiBackup.Engine.Copy;

/// <summary>How <see cref="SparseFileCopier"/> copies one image into the repository.</summary>
public sealed record CopyOptions
{
    /// <summary>
    /// 1 MiB: on the benchmark machine (bench/RESULTS.md) a 4 MiB pread of page-cache data cost
    /// 5–10× more kernel time per byte than 1 MiB ones (0.6–1.0 s against 0.08 s per GiB read), and
    /// a 1 MiB buffer stays in the CPU cache between the read, the hash and the write.
    /// </summary>
    public const int DefaultBufferSize = 1 << 20;

    /// <summary>Average bytes per second read from the source; null = unlimited.</summary>
    public long? BandwidthBytesPerSecond { get; init; }

    /// <summary>Told how many data bytes are done, a few times a second, and the total at the end.</summary>
    public IProgress<CopyProgress>? Progress { get; init; }

    /// <summary>Rewrite the qcow2 backing file name and format in the copy, in the same pass.</summary>
    public Qcow2BackingRewrite? RewriteBacking { get; init; }

    /// <summary>The clock of the bandwidth limit and of progress throttling.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Size of each read and write; a multiple of 4 KiB between 64 KiB and 64 MiB.</summary>
    public int BufferSize
    {
        get;
        init => field = value is >= 64 << 10 and <= 64 << 20 && value % 4096 == 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BufferSize), value,
                "must be a multiple of 4096 between 64 KiB and 64 MiB");
    } = DefaultBufferSize;

    /// <summary>
    /// Blocks of zeros inside the source's data extents are not written, so they stay holes in
    /// the copy (they still count in its hash). Costs one vectorised scan per block.
    /// </summary>
    public bool SkipZeroBlocks { get; init; } = true;

    /// <summary>Refuses options no copy can honour; both copiers call it before touching any file.</summary>
    internal void ThrowIfInvalid()
    {
        if (BandwidthBytesPerSecond is <= 0)
            throw new ArgumentOutOfRangeException(nameof(BandwidthBytesPerSecond), BandwidthBytesPerSecond,
                "the bandwidth limit must be positive (null means unlimited)");
    }
}

/// <summary>
/// The backing file the copy's qcow2 header should name: <paramref name="BackingFile"/> as written
/// (a relative name resolves against the copy's folder), or null for an image without backing.
/// </summary>
public sealed record Qcow2BackingRewrite(string? BackingFile, string BackingFormat = "qcow2");
