namespace FiBackup.Engine.Copy;

/// <summary>
/// What was copied: the file's length, the data bytes the destination stores (its data extents:
/// the source's holes are neither read nor written, and zero blocks among its data are read but
/// not written, so they stay holes too), and the SHA-256
/// of the destination's full content in lower-case hex, as sha256sum prints it.
/// </summary>
public sealed record CopyResult(long FileLength, long DataBytes, string Sha256);
