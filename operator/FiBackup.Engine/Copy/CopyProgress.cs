namespace FiBackup.Engine.Copy;

/// <summary>Data bytes copied so far out of the data bytes to copy (holes are not counted).</summary>
public readonly record struct CopyProgress(long BytesDone, long BytesTotal);
