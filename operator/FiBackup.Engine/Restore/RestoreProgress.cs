namespace FiBackup.Engine.Restore;

/// <summary>Progress of a restore in bytes read from the repository.</summary>
public sealed record RestoreProgress(string Target, string File, long BytesDone, long BytesTotal);
