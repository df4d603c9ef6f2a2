using FiBackup.Engine.Errors;
using FiBackup.Engine.Qcow2;

namespace FiBackup.Engine.Copy;

/// <summary>
/// The qcow2 backing-name rewrite of a copy (<see cref="CopyOptions.RewriteBacking"/>), for every
/// copier: the local one reads the first cluster from the file, the volume-stream one from libvirt.
/// </summary>
internal static class BackingRewrite
{
    /// <summary>
    /// <paramref name="firstCluster"/> (the image's first cluster, or the whole file when shorter)
    /// with its backing file name and format replaced, the same length. Refuses an image with an
    /// external data file, which a copy of the file alone would lose.
    /// </summary>
    public static byte[] Apply(ReadOnlySpan<byte> firstCluster, string source, Qcow2BackingRewrite rewrite)
    {
        try
        {
            var header = Qcow2Header.Parse(firstCluster);
            if (header.HasExternalDataFile)
                throw new InvalidDataException("it keeps its data in an external data file, which fibackup does not copy");
            return header.WithBacking(rewrite.BackingFile, rewrite.BackingFormat, firstCluster.Length);
        }
        catch (InvalidDataException e)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot rewrite the backing file of {source}: {e.Message}", inner: e);
        }
        catch (Qcow2HeaderFullException e)
        {
            throw new Qcow2HeaderFullException(
                $"cannot rewrite the backing file of {source}: {e.Message}; fibackup has no fallback for this, nothing was copied "
                + "(convert the disk to a qcow2 with a larger cluster size, e.g. qemu-img convert -O qcow2 -o cluster_size=65536, while the domain is shut off)");
        }
    }

    /// <summary>Bytes of the first cluster, given the first <see cref="Qcow2Header.PrefixLength"/> bytes of a file of <paramref name="fileLength"/> bytes.</summary>
    public static int FirstClusterLength(ReadOnlySpan<byte> prefix, long fileLength, string source)
    {
        try
        {
            return (int)Math.Min(fileLength, Qcow2Header.ClusterSizeOf(prefix));
        }
        catch (InvalidDataException e)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot rewrite the backing file of {source}: {e.Message}", inner: e);
        }
    }
}
