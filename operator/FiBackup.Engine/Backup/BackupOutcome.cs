namespace FiBackup.Engine.Backup;

/// <summary>How a backup run ended.</summary>
public enum BackupOutcome
{
    /// <summary>This run took a new restore point.</summary>
    Created,
    /// <summary>A restore point with the request's idempotency key existed already; nothing was done.</summary>
    AlreadyDone,
    /// <summary>An interrupted run with the request's key was finished by recovery; its point is the result.</summary>
    FinishedInterrupted,
}
