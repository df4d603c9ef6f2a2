using System.Text.RegularExpressions;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup;

/// <summary>
/// The names of the overlays fibackup puts on live disks: &lt;stem&gt;.fib-&lt;pointId&gt;.qcow2 next to
/// the disk's image. Invariant 2 rests on this: only files with such a name that a journal or the
/// live chain shows to be ours are ever written into or deleted.
/// </summary>
public static partial class OverlayName
{
    [GeneratedRegex(@"^(?<stem>.+)\.fib-(?<point>\d{8}T\d{6}Z)\.qcow2$")]
    private static partial Regex Pattern();

    /// <summary>The overlay for a disk whose active image is <paramref name="activeImage"/>, frozen at <paramref name="point"/>.</summary>
    public static string For(string activeImage, RestorePointId point)
    {
        var directory = Path.GetDirectoryName(activeImage) ?? "/";
        return Path.Combine(directory, $"{StemOf(activeImage)}.fib-{point}.qcow2");
    }

    /// <summary>True when the file name has the shape of a fibackup overlay.</summary>
    public static bool IsOverlay(string path) => Pattern().IsMatch(Path.GetFileName(path));

    /// <summary>The original image's stem: web.qcow2 and web.fib-20261127T020000Z.qcow2 both give "web".</summary>
    public static string StemOf(string image)
    {
        var name = Path.GetFileName(image);
        var match = Pattern().Match(name);
        if (match.Success) return match.Groups["stem"].Value;
        var extension = Path.GetExtension(name);
        return extension is ".qcow2" or ".img" or ".raw" or ".qcow" ? Path.GetFileNameWithoutExtension(name) : name;
    }
}
