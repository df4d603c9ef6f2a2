using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Copy;

/// <summary>The filesystem holding the repository ran out of space while a file was being written.</summary>
public sealed class RepositoryFullException(string file, long bytesNeeded, long? bytesAvailable, Exception? inner = null)
    : FibackupException(ErrorReason.RepositoryFull, Describe(file, bytesNeeded, bytesAvailable), EngineField.Repository, inner)
{
    public string File { get; } = file;
    public long BytesNeeded { get; } = bytesNeeded;
    public long? BytesAvailable { get; } = bytesAvailable;

    private static string Describe(string file, long needed, long? available) =>
        $"the repository is full: no space left to write {file} (the copy needs up to {ByteSize.Format(needed)}"
        + (available is { } free ? $", {ByteSize.Format(free)} were free when it started" : "")
        + "); free space in the repository or prune old restore points, then try again";

    /// <summary>True for "no space left on device" (ENOSPC) and "disk quota exceeded" (EDQUOT).</summary>
    public static bool IsDiskFull(IOException e) =>
        e.HResult is ENOSPC or EDQUOT
        || e.HResult == unchecked((int)0x80070070)   // ERROR_DISK_FULL as .NET reports it on Windows
        || e.HResult == unchecked((int)0x80070027);  // ERROR_HANDLE_DISK_FULL

    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
}
