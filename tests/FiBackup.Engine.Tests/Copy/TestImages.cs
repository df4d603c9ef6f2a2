using System.Globalization;
using System.Security.Cryptography;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Tests.Copy;

/// <summary>Makes and inspects test images with the real tools: qemu-img, qemu-io, sha256sum, stat.</summary>
internal static class TestImages
{
    public const int MiB = 1 << 20;

    public static Task CreateQcow2Async(string path, string size, string? backing = null, string? options = null)
    {
        List<string> args = ["create", "-q", "-f", "qcow2"];
        if (options is not null) args.AddRange(["-o", options]);
        if (backing is not null) args.AddRange(["-b", backing, "-F", "qcow2"]);
        args.Add(path);
        if (backing is null) args.Add(size);
        return ExternalTool.RunAsync("qemu-img", args, CancellationToken.None);
    }

    /// <summary>Writes <paramref name="pattern"/> as the guest would, through qemu's qcow2 driver.</summary>
    public static Task WritePatternAsync(string image, byte pattern, long offset, long length) =>
        QemuIo(image, $"write -P 0x{pattern:x2} {offset} {length}", throwOnFailure: true);

    /// <summary>True when the guest-visible bytes of the range all equal <paramref name="pattern"/> (qemu-io read -P).</summary>
    public static async Task<bool> ReadsPatternAsync(string image, byte pattern, long offset, long length)
    {
        var result = await QemuIo(image, $"read -P 0x{pattern:x2} {offset} {length}", throwOnFailure: false);
        return result.ExitCode == 0 && !result.StandardOutput.Contains("verification failed", StringComparison.Ordinal);
    }

    private static Task<ExternalTool.Result> QemuIo(string image, string command, bool throwOnFailure) =>
        ExternalTool.RunAsync("qemu-io", ["-f", "qcow2", "-c", command, image], CancellationToken.None, throwOnFailure);

    /// <summary>The hash as the sha256sum program prints it.</summary>
    public static async Task<string> Sha256SumAsync(string path)
    {
        var result = await ExternalTool.RunAsync("sha256sum", [path], CancellationToken.None);
        return result.StandardOutput.Split(' ')[0];
    }

    /// <summary>Bytes the filesystem has allocated to the file (stat %b blocks of 512 bytes).</summary>
    public static async Task<long> AllocatedBytesAsync(string path)
    {
        var result = await ExternalTool.RunAsync("stat", ["-c", "%b", path], CancellationToken.None);
        return long.Parse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture) * 512;
    }

    /// <summary>A sparse raw file: <paramref name="length"/> bytes, random data only in the given ranges.</summary>
    public static void CreateSparseFile(string path, long length, params (long Offset, int Length)[] data)
    {
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.SetLength(file, length);
        foreach (var (offset, count) in data)
            RandomAccess.Write(file, RandomNumberGenerator.GetBytes(count), offset);
    }

    /// <summary>Files in the directory whose name ends with .partial.</summary>
    public static string[] PartialFiles(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*.partial", SearchOption.AllDirectories) : [];
}
