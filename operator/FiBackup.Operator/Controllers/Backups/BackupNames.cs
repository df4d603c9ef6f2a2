using System.Security.Cryptography;
using System.Text;

namespace FiBackup.Operator.Controllers.Backups;

/// <summary>
/// Deterministic VmBackup names, so a restarted operator that runs the same schedule slot again
/// finds the object it made instead of making a second one: &lt;policy&gt;-&lt;domain&gt;-&lt;yyyyMMddtHHmmssz&gt;.
/// Domain names may hold characters a Kubernetes name may not (upper case, '_', '.'); those become
/// '-', and a short hash of the original keeps two such domains apart.
/// </summary>
public static class BackupNames
{
    private const int MaxLength = 253;

    public static string ForRun(string policy, string domain, DateTime scheduledUtc)
    {
        var stamp = scheduledUtc.ToUniversalTime().ToString("yyyyMMdd't'HHmmss'z'");
        return Compose(policy, domain, stamp);
    }

    /// <summary>The name of a VmBackup synced back from a restore point found in a repository.</summary>
    public static string ForSyncedPoint(string policy, string domain, string pointId) =>
        Compose(policy, domain, pointId.ToLowerInvariant());

    private static string Compose(string policy, string domain, string stamp)
    {
        var cleanDomain = Clean(domain);
        if (cleanDomain != domain) cleanDomain = $"{cleanDomain}-{Hash(domain)}";
        var name = $"{policy}-{cleanDomain}-{stamp}";
        if (name.Length <= MaxLength) return name;
        var keep = MaxLength - stamp.Length - 10;
        return $"{name[..keep].TrimEnd('-', '.')}-{Hash(name)}-{stamp}";
    }

    /// <summary>Lower-case DNS-1123: letters, digits, '-'; anything else becomes '-'.</summary>
    public static string Clean(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        var clean = builder.ToString().Trim('-');
        return clean.Length == 0 ? "x" : clean;
    }

    /// <summary>A label value (63 characters, alphanumeric at both ends) for the domain label.</summary>
    public static string LabelValue(string value)
    {
        var clean = Clean(value);
        return clean.Length <= 63 ? clean : $"{clean[..54].TrimEnd('-')}-{Hash(value)}";
    }

    private static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..8];
}
