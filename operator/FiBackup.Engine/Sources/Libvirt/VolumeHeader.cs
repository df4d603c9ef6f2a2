using FiBackup.Engine.Copy;
using FiBackup.Engine.Qcow2;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>A qcow2 volume's first cluster, read through a ranged volume download (the header, its extensions and the backing name live there).</summary>
internal static class VolumeHeader
{
    /// <summary>qemu's default cluster size: one request covers the header of nearly every image.</summary>
    private const int FirstRequest = 64 << 10;

    public static async Task<byte[]> ReadFirstClusterAsync(StorageVolume volume, long fileLength, string image, CancellationToken ct)
    {
        var head = await ReadAsync(volume, (int)Math.Min(fileLength, FirstRequest), ct);
        var clusterLength = BackingRewrite.FirstClusterLength(head, fileLength, image);
        return clusterLength <= head.Length ? head[..clusterLength] : await ReadAsync(volume, clusterLength, ct);
    }

    /// <summary>The name a qcow2 header gives its external data file, or null when it has none.</summary>
    public static string? ExternalDataFile(byte[] firstCluster)
    {
        var header = Qcow2Header.Parse(firstCluster);
        if (!header.HasExternalDataFile) return null;
        var extension = header.Extensions.FirstOrDefault(e => e.Type == Qcow2HeaderExtension.ExternalDataFileName);
        return extension is null ? "(unnamed)" : System.Text.Encoding.UTF8.GetString(extension.Data.Span);
    }

    private static async Task<byte[]> ReadAsync(StorageVolume volume, int length, CancellationToken ct)
    {
        if (length == 0) return [];
        using var buffer = new MemoryStream(length);
        await volume.DownloadAsync(buffer, 0, (ulong)length, sparse: false, ct);
        return buffer.ToArray();
    }
}
