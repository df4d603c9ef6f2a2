namespace FiBackup.Engine.Backup;

/// <summary>One image of a disk's live backing chain; <paramref name="DataFile"/> is a qcow2's external data file, if it has one.</summary>
public sealed record ChainImage(string Path, string Format, long VirtualSize, long ActualSize, string? DataFile = null);
