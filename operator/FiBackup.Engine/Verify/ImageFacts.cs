using System.Text.Json;
using System.Text.Json.Nodes;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Verify;

/// <summary>What one repository file really is on disk, learnt once however many points share it.</summary>
internal sealed record ImageFacts(bool Exists, FileDigest? Digest, string? CheckFailure, string? HeaderBacking)
{
    public static readonly ImageFacts MissingFile = new(false, null, null, null);

    public static async Task<ImageFacts> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return MissingFile;
        var digest = await FileDigest.OfFileAsync(path, ct);
        // Check the image alone: with its backing chain opened, a missing backing file would be
        // reported as corruption of this one. The chain is verified file by file anyway.
        var check = await QemuImg.CheckAsync(WithoutBacking(path), ct);
        if (!check.Clean)
            return new ImageFacts(true, digest, FirstLine(check.Output), null);
        var info = await QemuImg.InfoAsync(path, ct, forceShare: false);
        return new ImageFacts(true, digest, info.Format == "qcow2" ? null : $"is {info.Format}, not qcow2", info.BackingFileName);
    }

    /// <summary>A qemu block-layer name that opens the qcow2 image without its backing file.</summary>
    internal static string WithoutBacking(string path) =>
        "json:" + new JsonObject
        {
            ["driver"] = "qcow2",
            ["backing"] = null,
            ["file"] = new JsonObject { ["driver"] = "file", ["filename"] = path },
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    private static string FirstLine(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "qemu-img check failed without a message" : line;
    }
}
