using FiBackup.Engine.Errors;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Backup;

/// <summary>One image of a disk's live backing chain; <paramref name="DataFile"/> is a qcow2's external data file, if it has one.</summary>
public sealed record ChainImage(string Path, string Format, long VirtualSize, long ActualSize, string? DataFile = null);

/// <summary>
/// Reads a disk's backing chain from the image headers (qemu-img, with force-share because QEMU
/// holds the images of a running domain). The same answer for running and shut-off domains.
/// </summary>
public static class LiveChain
{
    /// <summary>The chain of <paramref name="activeImage"/>, active image first, original base last.</summary>
    public static async Task<IReadOnlyList<ChainImage>> ReadAsync(string activeImage, CancellationToken ct)
    {
        if (!File.Exists(activeImage) && !IsBlockDevice(activeImage))
            throw new FibackupException(ErrorReason.InvalidSpec,
                $"disk image {activeImage} is not readable from this machine; run fibackup on the host that runs the domain");
        var infos = await QemuImg.BackingChainAsync(activeImage, ct);
        var chain = new List<ChainImage>(infos.Count);
        var path = activeImage;
        foreach (var info in infos)
        {
            chain.Add(new ChainImage(path, info.Format, info.VirtualSize, info.ActualSize, info.DataFile));
            if (info.FullBackingFileName is null) break;
            path = info.FullBackingFileName;
        }
        return chain;
    }

    private static bool IsBlockDevice(string path) => path.StartsWith("/dev/", StringComparison.Ordinal) && Path.Exists(path);
}
