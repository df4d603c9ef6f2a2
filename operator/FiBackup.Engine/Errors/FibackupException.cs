namespace FiBackup.Engine.Errors;

/// <summary>
/// A failure the user can act on, with a message that names the object, field or file and what
/// to do. <see cref="Field"/> is the option or spec field at fault when there is one
/// (e.g. "--domain" on the CLI, "spec.domain" in the operator).
/// </summary>
public class FibackupException(string message, string? field = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string? Field { get; } = field;
}

/// <summary>The input was wrong (bad name, unknown point, conflicting options); nothing was changed.</summary>
public sealed class InvalidInputException(string message, string? field = null, Exception? inner = null)
    : FibackupException(message, field, inner);

/// <summary>Another operation holds the domain; try again when it finishes.</summary>
public sealed class BusyException(string message) : FibackupException(message);
