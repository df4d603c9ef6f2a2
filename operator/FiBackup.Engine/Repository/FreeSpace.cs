using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Repository;

/// <summary>Refuses to start work that cannot fit, before anything is touched.</summary>
public static class FreeSpace
{
    public static long AvailableBytes(string directory) => new DriveInfo(directory).AvailableFreeSpace;

    /// <summary>The free bytes for an error message, or null when the filesystem does not say.</summary>
    public static long? TryAvailableBytes(string directory)
    {
        try { return AvailableBytes(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    public static void Ensure(string directory, long neededBytes, string what)
    {
        var available = AvailableBytes(directory);
        if (available < neededBytes)
            throw new FibackupException(ErrorReason.RepositoryFull,
                $"repository {directory} is too full for {what}: needs about {ByteSize.Format(neededBytes)}, {ByteSize.Format(available)} free; free space or prune old restore points (nothing was changed)");
    }
}
