using System.Security.Cryptography;

namespace FiBackup.Engine.Verify;

/// <summary>Size and SHA-256 (lower-case hex, as manifests record it) of a file's bytes.</summary>
public sealed record FileDigest(long Size, string Sha256)
{
    private const int BufferSize = 1 << 20;

    public static async Task<FileDigest> OfFileAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, ct);
        return new FileDigest(stream.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>True when the recorded SHA-256 matches, whatever its letter case.</summary>
    public bool Matches(string recordedSha256) => string.Equals(Sha256, recordedSha256, StringComparison.OrdinalIgnoreCase);
}
