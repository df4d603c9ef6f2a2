using System.Text.RegularExpressions;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup;

/// <summary>
/// The names of the overlays fibackup puts on live disks: &lt;image&gt;.fib-&lt;pointId&gt;.qcow2 next to
/// the disk's active image, where &lt;image&gt; is the whole file name of the disk's own image
/// (web.qcow2 → web.qcow2.fib-20261127T020000Z.qcow2). The whole name, extension included, keeps the
/// overlays of x.qcow2 and x.img in one directory apart. Overlays named by earlier versions after the
/// stem only (web.fib-20261127T020000Z.qcow2) have the same shape and are recognised as well.
/// Invariant 2 rests on this: only files with such a name that a journal or the live chain shows to
/// be ours are ever written into or deleted.
/// </summary>
public static partial class OverlayName
{
    [GeneratedRegex(@"^(?<stem>.+)\.fib-(?<point>\d{8}T\d{6}Z)\.qcow2$")]
    private static partial Regex Pattern();

    /// <summary>Where overlays of block-device disks (and of images in directories fibackup may not write) go unless the user names another directory.</summary>
    public const string DefaultDirectory = "/var/lib/libvirt/images/fibackup-overlays";

    /// <summary>
    /// The overlay for a disk whose live chain is <paramref name="chain"/> (active image first),
    /// frozen at <paramref name="point"/>: in the active image's directory, named after the disk's
    /// own image (the first image of the chain that is not a fibackup overlay). When the host says the
    /// overlay cannot go there (<see cref="Sources.IHostImages.NeedsOverlayDirectory"/>: a block device,
    /// whose directory is /dev, or a directory this process may not write), it goes to
    /// <paramref name="overlayDirectory"/> instead,
    /// its name carrying a hash of the own image's path, since devices of several domains
    /// (/dev/vg0/web, /dev/vg1/web) share a file name there.
    /// </summary>
    public static string For(IReadOnlyList<ChainImage> chain, RestorePointId point, Sources.IHostImages host, string? overlayDirectory = null)
    {
        var own = OwnImageOf(chain);
        if (own is not null && host.NeedsOverlayDirectory(own))
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(own)))[..8];
            return Path.Combine(overlayDirectory ?? DefaultDirectory, $"{Path.GetFileName(own)}-{hash}.fib-{point}.qcow2");
        }
        var directory = Path.GetDirectoryName(chain[0].Path) ?? "/";
        return Path.Combine(directory, $"{OwnImageNameOf(chain)}.fib-{point}.qcow2");
    }

    private static string? OwnImageOf(IReadOnlyList<ChainImage> chain) =>
        chain.FirstOrDefault(image => !IsOverlay(image.Path))?.Path;

    /// <summary>True when the file name has the shape of a fibackup overlay (either naming).</summary>
    public static bool IsOverlay(string path) => Pattern().IsMatch(Path.GetFileName(path));

    private static string OwnImageNameOf(IReadOnlyList<ChainImage> chain)
    {
        if (chain.FirstOrDefault(image => !IsOverlay(image.Path)) is { } own) return Path.GetFileName(own.Path);
        // Only a base that is itself named like an overlay gets here: name after its stem.
        return Pattern().Match(Path.GetFileName(chain[^1].Path)).Groups["stem"].Value;
    }
}
