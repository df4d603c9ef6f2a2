using System.Text;

namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// Where the lock files that keep one operation per domain (invariant 5) live: the host locks of
/// <see cref="FileDomainLocks"/> in $FIBACKUP_LOCK_DIR (default /run/lock/fibackup), keyed by the
/// hypervisor's identity and the domain's UUID, and one in the repository for the domain, so two
/// hosts or runs cannot write the same domain's restore points at once.
/// </summary>
public static class DomainLockPaths
{
    public const string DirectoryVariable = "FIBACKUP_LOCK_DIR";
    public const string DefaultDirectory = "/run/lock/fibackup";
    private const int MaxPartLength = 100;

    public static string ForRepository(DomainLayout layout) => layout.LockFile;

    /// <summary>
    /// A file-name-safe form: runs of anything but letters, digits and . _ + @ - become one '_'.
    /// Two names that map to the same form share a lock, which is only over-cautious.
    /// </summary>
    internal static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+' or '@' or '-';
            if (keep) builder.Append(c);
            else if (builder.Length > 0 && builder[^1] != '_') builder.Append('_');
        }
        var sanitized = builder.ToString().Trim('_', '.');
        if (sanitized.Length == 0) sanitized = "_";
        if (sanitized.Length > MaxPartLength)
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
            sanitized = $"{sanitized[..(MaxPartLength - 13)]}-{hash}";
        }
        return sanitized;
    }
}
