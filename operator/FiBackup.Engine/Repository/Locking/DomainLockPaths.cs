using System.Text;

namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// The two lock files that keep one operation per domain (invariant 5): one on the libvirt host
/// for (URI, domain), so two runs cannot snapshot or consolidate the same VM at once whatever
/// repository they use, and one in the repository for the domain, so two hosts or runs cannot
/// write the same domain's restore points at once.
/// </summary>
public static class DomainLockPaths
{
    public const string DirectoryVariable = "FIBACKUP_LOCK_DIR";
    public const string DefaultDirectory = "/run/lock/fibackup";
    private const int MaxPartLength = 100;

    /// <summary>The host lock in $FIBACKUP_LOCK_DIR, or /run/lock/fibackup when it is unset.</summary>
    public static string ForHost(string libvirtUri, string domain) =>
        ForHost(libvirtUri, domain,
            Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory ? directory : DefaultDirectory);

    /// <summary>&lt;directory&gt;/&lt;sanitized uri&gt;-&lt;sanitized domain&gt;.lock, e.g. qemu_system-web-1.lock.</summary>
    public static string ForHost(string libvirtUri, string domain, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(libvirtUri);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        return Path.Combine(Path.GetFullPath(directory), $"{Sanitize(libvirtUri)}-{Sanitize(domain)}.lock");
    }

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
