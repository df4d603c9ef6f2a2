namespace FiBackup.Engine.Errors;

/// <summary>
/// A failure the user can act on. <see cref="Exception.Message"/> names the object or file and what
/// to do, in words (never a CLI flag); <see cref="Reason"/> is the machine cause (an
/// <see cref="ErrorReason"/> constant, usable as a Kubernetes condition reason);
/// <see cref="Field"/> is the input at fault, an <see cref="EngineField"/> constant, which the CLI
/// turns into a flag and the operator into a spec path.
/// </summary>
public class FibackupException(string reason, string message, string? field = null, Exception? inner = null, bool? retryable = null)
    : Exception(message, inner)
{
    public string Reason { get; } = reason;

    /// <summary>Whether the same request, unchanged, may succeed later (a controller requeues it with backoff).</summary>
    public bool Retryable { get; } = retryable ?? ErrorReason.IsRetryable(reason);

    public string? Field { get; } = field;
}

/// <summary>The input was wrong (bad name, unknown point, conflicting options); nothing was changed. Never retryable.</summary>
public sealed class InvalidInputException(string message, string? field = null, Exception? inner = null, string reason = ErrorReason.InvalidSpec)
    : FibackupException(reason, message, field, inner, retryable: false);

/// <summary>Another operation holds the domain; try again when it finishes.</summary>
public sealed class BusyException(string message) : FibackupException(ErrorReason.DomainBusy, message, retryable: true);
