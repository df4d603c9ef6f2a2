namespace FiBackup.Operator.Controllers;

/// <summary>
/// Something about a resource's spec or its surroundings (a claim, a policy, a referenced backup)
/// that stops a reconcile. <see cref="Message"/> starts with the field it is about
/// (spec.destination.persistentVolumeClaim.claimName: ...); <see cref="Reason"/> becomes the
/// condition's reason. Retryable problems may go away by themselves (a claim that binds later).
/// </summary>
public sealed class OperatorProblem(string reason, string message, bool retryable) : Exception(message)
{
    public string Reason { get; } = reason;
    public bool Retryable { get; } = retryable;
}

/// <summary>Reasons the operator itself gives (the engine's are in FiBackup.Engine.Errors.ErrorReason).</summary>
public static class OperatorReason
{
    public const string InvalidSpec = "InvalidSpec";
    public const string ClaimNotFound = "ClaimNotFound";
    public const string ClaimNotBound = "ClaimNotBound";
    public const string ClaimNotMounted = "ClaimNotMounted";
    public const string PolicyNotFound = "PolicyNotFound";
    public const string SecretNotFound = "SecretNotFound";
    public const string BackupNotFound = "BackupNotFound";
    public const string BackupNotSucceeded = "BackupNotSucceeded";
    public const string Scheduled = "Scheduled";
    public const string Suspended = "Suspended";
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Retrying = "Retrying";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
}
