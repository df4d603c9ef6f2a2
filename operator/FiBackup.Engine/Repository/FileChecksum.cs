using System.Security.Cryptography;

namespace FiBackup.Engine.Repository;

/// <summary>SHA-256 of a whole file, as `sha256sum` prints it (lower-case hex).</summary>
public static class FileChecksum
{
    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read,
            bufferSize: 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, ct);
        return Convert.ToHexStringLower(hash);
    }
}
