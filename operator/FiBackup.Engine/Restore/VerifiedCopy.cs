using System.Security.Cryptography;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Restore;

/// <summary>
/// Reads a repository file exactly once, hashing what it reads, and refuses it when the SHA-256
/// or size is not the manifest's: a restore never hands a VM a silently damaged image.
/// </summary>
internal static class VerifiedCopy
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> to a new <paramref name="destination"/> with the repository
    /// copier (sparse, SHA-256 in the same pass, fsync'ed, never overwriting), then refuses the copy
    /// — deleting it — when it is not the file the manifest recorded.
    /// </summary>
    public static async Task CopyAsync(string source, RepositoryFile recorded, string destination, Action<long> advanced, CancellationToken ct)
    {
        if (!File.Exists(source)) throw Missing(source);
        long reported = 0;
        var progress = new InlineProgress<CopyProgress>(p =>
        {
            advanced(p.BytesDone - reported);
            reported = p.BytesDone;
        });
        var copied = await new SparseFileCopier().CopyIntoRepositoryAsync(source, destination, new CopyOptions { Progress = progress }, ct);
        // Holes were not read; count them as done so the progress ends at the file sizes.
        advanced(copied.FileLength - reported);
        try
        {
            Check(source, recorded, copied.FileLength, copied.Sha256);
        }
        catch
        {
            File.Delete(destination);
            throw;
        }
    }

    /// <summary>Reads <paramref name="source"/> only to prove it intact (for files qemu-img reads itself).</summary>
    public static async Task VerifyAsync(string source, RepositoryFile recorded, Action<long> advanced, CancellationToken ct)
    {
        await using var input = OpenSource(source);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
            advanced(read);
        }
        Check(source, recorded, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static FileStream OpenSource(string source)
    {
        try
        {
            return new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw Missing(source);
        }
    }

    private static FibackupException Missing(string source) =>
        new(ErrorReason.RepositoryCorrupt, $"repository file {source} is missing; this restore point cannot be restored (verify the repository)");

    private static void Check(string source, RepositoryFile recorded, long size, string sha256)
    {
        if (size != recorded.Size || !string.Equals(sha256, recorded.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new FibackupException(ErrorReason.RepositoryCorrupt,
                $"repository file {source} is corrupt (size {size}, SHA-256 {sha256}; the manifest records {recorded.Size} bytes, {recorded.Sha256}); refusing to restore from it: verify the repository, restore another point");
    }
}
