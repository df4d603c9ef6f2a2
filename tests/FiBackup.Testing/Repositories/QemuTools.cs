using FiBackup.Engine.Tools;

namespace FiBackup.Testing.Repositories;

/// <summary>The qemu-io/qemu-img calls test repositories are made of (arguments as arrays, never a shell string).</summary>
public static class QemuTools
{
    /// <summary>Runs qemu-io commands ("write -P 0xab 0 64k", "write -z 1M 64k") on an image of the given format.</summary>
    public static Task WriteAsync(string image, string format, IEnumerable<string> commands, CancellationToken ct = default)
    {
        var args = new List<string> { "-f", format };
        foreach (var command in commands) args.AddRange(["-c", command]);
        args.Add(image);
        return ExternalTool.RunAsync("qemu-io", args, ct);
    }

    /// <summary>True when a qcow2 image (read through its backing chain) shows the guest exactly the bytes of a raw image.</summary>
    public static async Task<bool> SameContentAsync(string qcow2Image, string rawImage, CancellationToken ct = default)
    {
        var result = await ExternalTool.RunAsync("qemu-img", ["compare", "-q", "-f", "qcow2", "-F", "raw", qcow2Image, rawImage], ct,
            throwOnFailure: false);
        return result.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw new InvalidOperationException($"qemu-img compare {qcow2Image} {rawImage} failed: {result.StandardError}"),
        };
    }

    /// <summary>The backing file name written in the image header, exactly as written.</summary>
    public static async Task<string?> BackingNameAsync(string image, CancellationToken ct = default) =>
        (await QemuImg.InfoAsync(image, ct, forceShare: false)).BackingFileName;
}
