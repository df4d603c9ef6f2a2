namespace FiBackup.Engine.Sources;

/// <summary>One disk of a push backup and the new file the job writes it into.</summary>
public sealed record BackupTarget(string Target, string File);
