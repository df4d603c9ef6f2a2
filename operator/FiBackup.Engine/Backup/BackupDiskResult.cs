namespace FiBackup.Engine.Backup;

/// <summary>
/// One disk of a finished backup: where it came from and what it added to the repository, in the
/// manifest's terms: <paramref name="Bytes"/> the data bytes of its new file, <paramref name="FileLength"/>
/// that file's length, holes included.
/// </summary>
public sealed record BackupDiskResult(string Target, string Source, IReadOnlyList<string> Files, long Bytes, long FileLength);
