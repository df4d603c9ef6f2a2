namespace FiBackup.Engine.Copy;

/// <summary>
/// What was copied: the file's length, the data bytes read from the source's data extents (holes
/// are neither read nor written; zero blocks among them are read but not written), and the SHA-256
/// of the destination's full content in lower-case hex, as sha256sum prints it.
/// </summary>
public sealed record CopyResult(long FileLength, long DataBytes, string Sha256);
