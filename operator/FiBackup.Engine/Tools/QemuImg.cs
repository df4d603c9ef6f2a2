using System.Text.Json;

namespace FiBackup.Engine.Tools;

/// <summary>
/// The qemu-img operations the engine needs, each one call with arguments as an array.
/// Images a running QEMU holds are opened with force-share (-U), which qemu-img requires for
/// reads of locked images.
/// </summary>
public static class QemuImg
{
    public const string Program = "qemu-img";

    public static async Task<ImageInfo> InfoAsync(string path, CancellationToken ct, bool forceShare = true)
    {
        var args = new List<string> { "info", "--output=json" };
        if (forceShare) args.Add("-U");
        args.Add(path);
        var result = await ExternalTool.RunAsync(Program, args, ct);
        return JsonSerializer.Deserialize<ImageInfo>(result.StandardOutput)
               ?? throw new ExternalToolException(Program, args, 0, "qemu-img info printed no JSON");
    }

    /// <summary>The image and all its backing files, top first.</summary>
    public static async Task<IReadOnlyList<ImageInfo>> BackingChainAsync(string path, CancellationToken ct, bool forceShare = true)
    {
        var args = new List<string> { "info", "--output=json", "--backing-chain" };
        if (forceShare) args.Add("-U");
        args.Add(path);
        var result = await ExternalTool.RunAsync(Program, args, ct);
        return JsonSerializer.Deserialize<List<ImageInfo>>(result.StandardOutput)
               ?? throw new ExternalToolException(Program, args, 0, "qemu-img info printed no JSON");
    }

    public static Task CreateAsync(string path, long virtualSize, CancellationToken ct,
        string? backingFile = null, string backingFormat = "qcow2")
    {
        var args = new List<string> { "create", "-q", "-f", "qcow2" };
        if (backingFile is not null) args.AddRange(["-b", backingFile, "-F", backingFormat]);
        args.Add(path);
        if (backingFile is null) args.Add(virtualSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ExternalTool.RunAsync(Program, args, ct);
    }

    /// <summary>
    /// Creates a snapshot overlay on <paramref name="backing"/> with subclusters (extended_l2, 4 KiB
    /// allocation units in 128 KiB clusters): a small guest write then allocates only what it wrote
    /// instead of copying the rest of its cluster up from the backing. 128 KiB rather than qcow2's
    /// usual 64 KiB: a subcluster is then a guest page, and each L2 table (a whole cluster, stored
    /// even when few of its entries are used) maps 1 GiB instead of 256 MiB, which halves the
    /// metadata of an incremental of scattered writes (bench/RESULTS.md). A qemu-img older than 5.2, which
    /// has no extended_l2, makes a plain overlay. Returns whether the overlay has subclusters.
    /// </summary>
    public static async Task<bool> CreateOverlayAsync(string overlay, string backing, string backingFormat, CancellationToken ct)
    {
        List<string> Args(bool subclusters) =>
        [
            "create", "-q", "-f", "qcow2",
            .. subclusters ? (string[])["-o", "extended_l2=on,cluster_size=131072"] : [],
            "-b", backing, "-F", backingFormat, overlay,
        ];
        try
        {
            await ExternalTool.RunAsync(Program, Args(subclusters: true), ct);
            return true;
        }
        catch (ExternalToolException e) when (e.StandardError.Contains("extended_l2", StringComparison.Ordinal))
        {
            File.Delete(overlay);
            await ExternalTool.RunAsync(Program, Args(subclusters: false), ct);
            return false;
        }
    }

    /// <summary>
    /// Writes <paramref name="source"/> (read through its whole backing chain) into a new qcow2 image.
    /// With <paramref name="backingFile"/>, only what differs from that backing goes into the output.
    /// </summary>
    public static Task ConvertAsync(string source, string destination, CancellationToken ct,
        bool forceShare = true, string? backingFile = null, string? sourceFormat = null)
    {
        var args = new List<string> { "convert", "-q", "-O", "qcow2" };
        if (forceShare) args.Add("-U");
        if (sourceFormat is not null) args.AddRange(["-f", sourceFormat]);
        if (backingFile is not null) args.AddRange(["-B", backingFile, "-F", "qcow2"]);
        args.Add(source);
        args.Add(destination);
        return ExternalTool.RunAsync(Program, args, ct);
    }

    /// <summary>
    /// Changes the backing file of <paramref name="image"/>. Unsafe (-u) only rewrites the header:
    /// right when the new backing has the same content as the old one. Safe mode copies into the
    /// image every cluster where the old and new backing chains differ.
    /// </summary>
    public static Task RebaseAsync(string image, string? newBacking, CancellationToken ct, bool unsafeHeaderOnly,
        string backingFormat = "qcow2")
    {
        var args = new List<string> { "rebase", "-q" };
        if (unsafeHeaderOnly) args.Add("-u");
        if (newBacking is null) args.AddRange(["-b", ""]);
        else args.AddRange(["-b", newBacking, "-F", backingFormat]);
        args.Add(image);
        return ExternalTool.RunAsync(Program, args, ct);
    }

    /// <summary>Commits <paramref name="top"/> into its backing file (or into <paramref name="baseImage"/> down its chain).</summary>
    public static Task CommitAsync(string top, CancellationToken ct, string? baseImage = null, bool dropTop = false)
    {
        var args = new List<string> { "commit", "-q" };
        if (baseImage is not null) args.AddRange(["-b", baseImage]);
        if (dropTop) args.Add("-d");
        args.Add(top);
        return ExternalTool.RunAsync(Program, args, ct);
    }

    public sealed record CheckResult(bool Clean, string Output);

    /// <summary>`qemu-img check`: exit 0 clean, 2 corruptions, 3 leaks only (harmless), 1 could not check.</summary>
    public static async Task<CheckResult> CheckAsync(string image, CancellationToken ct)
    {
        var result = await ExternalTool.RunAsync(Program, ["check", "-q", image], ct, throwOnFailure: false);
        return new CheckResult(result.ExitCode is 0 or 3, (result.StandardOutput + result.StandardError).Trim());
    }

    /// <summary>`qemu-img compare`: true when the guest-visible content of the two images is equal.</summary>
    public static async Task<bool> CompareAsync(string first, string second, CancellationToken ct, bool forceShare = true)
    {
        var args = new List<string> { "compare", "-q" };
        if (forceShare) args.Add("-U");
        args.Add(first);
        args.Add(second);
        var result = await ExternalTool.RunAsync(Program, args, ct, throwOnFailure: false);
        return result.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw new ExternalToolException(Program, args, result.ExitCode, result.StandardError),
        };
    }
}
