using System.Text.RegularExpressions;
using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Repository;

/// <summary>
/// Names that become path components inside the repository or beside restored images (disk
/// target, chain and point ids, restored file stems). Anything that could climb out of the
/// repository or hide a file is refused, naming the field. '%' is allowed for the %XX escapes of
/// <see cref="RepositoryName"/>: host and domain names are encoded there, not refused.
/// </summary>
public static partial class SafeName
{
    [GeneratedRegex(@"^[A-Za-z0-9%][A-Za-z0-9._+@%-]{0,254}$")]
    private static partial Regex Allowed();

    public static string Validate(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
            throw new InvalidNameException(field, value, "must not be empty");
        if (value.Contains('/') || value.Contains('\\') || value.Contains("..", StringComparison.Ordinal))
            throw new InvalidNameException(field, value, "must not contain '/', '\\' or '..'");
        if (!Allowed().IsMatch(value))
            throw new InvalidNameException(field, value,
                "may use letters, digits and . _ + @ - % (starting with a letter, digit or %, at most 255 characters)");
        return value;
    }
}

/// <summary>
/// A name that cannot be used as a path component. <paramref name="field"/> is what the name is
/// (an <see cref="EngineField"/> such as "domain", or a word like "disk target" for names read
/// from a repository); the message starts with it: domain "../etc" must not contain '/' ...
/// </summary>
public sealed class InvalidNameException(string field, string? value, string reason)
    : FibackupException(ErrorReason.InvalidSpec, $"{field} \"{value}\" {reason}", field, retryable: false);
