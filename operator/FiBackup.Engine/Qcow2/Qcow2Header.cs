using System.Buffers.Binary;
using System.Text;

namespace FiBackup.Engine.Qcow2;

/// <summary>
/// The header of a qcow2 image as stored in its first cluster (qemu docs/interop/qcow2.txt): the
/// fixed fields, the header extensions that follow them, and the backing file name after those.
/// Only what fibackup needs is interpreted; every other byte of the fixed header and every
/// extension is kept as it is when the header is rewritten.
/// </summary>
public sealed class Qcow2Header
{
    public const uint Magic = 0x514649FB; // "QFI\xfb"
    /// <summary>Bytes needed to find the version and cluster size.</summary>
    public const int PrefixLength = 24;
    public const int MaxBackingFileNameLength = 1023;

    private const int Version2HeaderLength = 72;
    private const int Version3MinHeaderLength = 104;
    private const ulong ExternalDataFileBit = 1UL << 2;

    private readonly byte[] _fixedFields;

    private Qcow2Header(byte[] fixedFields, int version, int clusterBits, long virtualSize, ulong incompatibleFeatures,
        string? backingFile, string? backingFormat, IReadOnlyList<Qcow2HeaderExtension> extensions)
    {
        _fixedFields = fixedFields;
        Version = version;
        ClusterBits = clusterBits;
        VirtualSize = virtualSize;
        IncompatibleFeatures = incompatibleFeatures;
        BackingFile = backingFile;
        BackingFormat = backingFormat;
        Extensions = extensions;
    }

    public int Version { get; }
    public int ClusterBits { get; }
    public int ClusterSize => 1 << ClusterBits;
    public long VirtualSize { get; }
    /// <summary>Length of the fixed header fields (72 for version 2; header_length for version 3).</summary>
    public int HeaderLength => _fixedFields.Length;
    public ulong IncompatibleFeatures { get; }
    /// <summary>Guest data lives in another file, named by an extension: copying this file alone is not enough.</summary>
    public bool HasExternalDataFile => (IncompatibleFeatures & ExternalDataFileBit) != 0;
    public string? BackingFile { get; }
    /// <summary>The backing format extension's value, when present.</summary>
    public string? BackingFormat { get; }
    /// <summary>Every header extension in file order (the end marker excluded).</summary>
    public IReadOnlyList<Qcow2HeaderExtension> Extensions { get; }

    /// <summary>The cluster size named by the first <see cref="PrefixLength"/> bytes, to know how much to read.</summary>
    public static int ClusterSizeOf(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < PrefixLength || BinaryPrimitives.ReadUInt32BigEndian(prefix) != Magic)
            throw new InvalidDataException("not a qcow2 image (no QFI\\xfb magic at offset 0)");
        var clusterBits = BinaryPrimitives.ReadInt32BigEndian(prefix[20..]);
        // qcow2 allows 512 bytes (9) up to 2 MiB (21), qemu's implementation limit.
        if (clusterBits is < 9 or > 21)
            throw new InvalidDataException($"qcow2 cluster_bits {clusterBits} is outside 9..21");
        return 1 << clusterBits;
    }

    /// <summary>
    /// Parses the header from the image's first cluster (or the whole file, when it is shorter).
    /// Anything out of bounds is an <see cref="InvalidDataException"/> saying what.
    /// </summary>
    public static Qcow2Header Parse(ReadOnlySpan<byte> firstCluster)
    {
        var clusterSize = ClusterSizeOf(firstCluster);
        var cluster = firstCluster[..Math.Min(firstCluster.Length, clusterSize)];
        if (cluster.Length < Version2HeaderLength) throw new InvalidDataException("qcow2 header is truncated");

        var version = BinaryPrimitives.ReadInt32BigEndian(cluster[4..]);
        var headerLength = version switch
        {
            2 => Version2HeaderLength,
            3 => cluster.Length >= Version3MinHeaderLength
                ? BinaryPrimitives.ReadInt32BigEndian(cluster[100..])
                : throw new InvalidDataException("qcow2 version 3 header is truncated"),
            _ => throw new InvalidDataException($"qcow2 version {version} is not supported (only 2 and 3)"),
        };
        if (headerLength < Version2HeaderLength || headerLength % 8 != 0 || headerLength > cluster.Length
            || (version == 3 && headerLength < Version3MinHeaderLength))
            throw new InvalidDataException($"qcow2 header_length {headerLength} is invalid");

        var backingOffset = BinaryPrimitives.ReadInt64BigEndian(cluster[8..]);
        var backingSize = BinaryPrimitives.ReadInt32BigEndian(cluster[16..]);
        string? backingFile = null;
        if (backingOffset != 0)
        {
            if (backingOffset < headerLength || backingSize is < 0 or > MaxBackingFileNameLength
                || backingOffset + backingSize > cluster.Length)
                throw new InvalidDataException(
                    $"qcow2 backing file name (offset {backingOffset}, {backingSize} bytes) is not inside the first cluster");
            backingFile = Encoding.UTF8.GetString(cluster.Slice((int)backingOffset, backingSize));
        }

        // Extensions run from the end of the fixed fields to the end marker; qemu stops at the
        // backing file name, or at the end of the cluster when there is none.
        var extensionsEnd = backingOffset != 0 ? (int)backingOffset : cluster.Length;
        var extensions = ReadExtensions(cluster[..extensionsEnd], headerLength);
        var formatExtension = extensions.FirstOrDefault(e => e.Type == Qcow2HeaderExtension.BackingFormatName);

        return new Qcow2Header(
            cluster[..headerLength].ToArray(), version, BinaryPrimitives.ReadInt32BigEndian(cluster[20..]),
            BinaryPrimitives.ReadInt64BigEndian(cluster[24..]),
            version >= 3 ? BinaryPrimitives.ReadUInt64BigEndian(cluster[72..]) : 0,
            backingFile, formatExtension is null ? null : Encoding.UTF8.GetString(formatExtension.Data.Span),
            extensions);
    }

    private static List<Qcow2HeaderExtension> ReadExtensions(ReadOnlySpan<byte> area, int offset)
    {
        var extensions = new List<Qcow2HeaderExtension>();
        while (offset + 8 <= area.Length)
        {
            var type = BinaryPrimitives.ReadUInt32BigEndian(area[offset..]);
            if (type == Qcow2HeaderExtension.EndOfExtensions) return extensions;
            var length = BinaryPrimitives.ReadUInt32BigEndian(area[(offset + 4)..]);
            if (length > area.Length - offset - 8)
                throw new InvalidDataException($"qcow2 header extension 0x{type:x8} at offset {offset} runs past its area");
            extensions.Add(new Qcow2HeaderExtension(type, area.Slice(offset + 8, (int)length).ToArray()));
            offset += 8 + (int)((length + 7) & ~7u);
        }
        // Ran into the backing file name or the cluster's end without an end marker: a valid image
        // may do this only when its extensions fill the area exactly.
        if (offset > area.Length) throw new InvalidDataException("qcow2 header extensions run past the first cluster");
        return extensions;
    }

    /// <summary>
    /// The image's first <paramref name="length"/> bytes (its first cluster, or less when the file is
    /// shorter) with the backing file name replaced, the backing format extension set to
    /// <paramref name="backingFormat"/> (or both removed when <paramref name="backingFile"/> is null),
    /// every other field and extension unchanged, and the rest of the cluster zero — as qemu lays it out.
    /// </summary>
    /// <exception cref="Qcow2HeaderFullException">The result would not fit in <paramref name="length"/> bytes.</exception>
    public byte[] WithBacking(string? backingFile, string backingFormat, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ClusterSize);
        byte[] name = backingFile is null ? [] : Encoding.UTF8.GetBytes(backingFile);
        if (backingFile is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(backingFile);
            ArgumentException.ThrowIfNullOrEmpty(backingFormat);
            if (name.Length > MaxBackingFileNameLength)
                throw new Qcow2HeaderFullException(
                    $"backing file name \"{backingFile}\" is {name.Length} bytes; qcow2 allows at most {MaxBackingFileNameLength}");
        }

        List<Qcow2HeaderExtension> extensions = [.. Extensions.Where(e => e.Type != Qcow2HeaderExtension.BackingFormatName)];
        if (backingFile is not null)
            extensions.Insert(0, new Qcow2HeaderExtension(Qcow2HeaderExtension.BackingFormatName, Encoding.UTF8.GetBytes(backingFormat)));

        var nameOffset = HeaderLength + extensions.Sum(e => e.SizeInHeader) + 8; // + end marker
        var needed = nameOffset + name.Length;
        if (needed > length)
            throw new Qcow2HeaderFullException(
                $"the rewritten qcow2 header needs {needed} bytes but the first cluster has {length} "
                + $"(cluster size {ClusterSize}, backing file name {name.Length} bytes)");

        var output = new byte[length];
        _fixedFields.CopyTo(output, 0);
        BinaryPrimitives.WriteInt64BigEndian(output.AsSpan(8), backingFile is null ? 0 : nameOffset);
        BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(16), name.Length);
        var position = HeaderLength;
        foreach (var extension in extensions)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(position), extension.Type);
            BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(position + 4), extension.Data.Length);
            extension.Data.Span.CopyTo(output.AsSpan(position + 8));
            position += extension.SizeInHeader;
        }
        // The end marker (type 0, length 0) is the 8 zero bytes already at `position`.
        name.CopyTo(output, nameOffset);
        return output;
    }
}
