using System.Text.RegularExpressions;
using Cronos;
using FluentValidation;
using k8s.Models;

namespace FiBackup.Operator.Api.Validation;

/// <summary>
/// Checks of single values shared by the spec validators. Every message starts with the quoted
/// value and says what was expected; the field path comes from the rule it is attached to.
/// </summary>
internal static partial class ValueRules
{
    // Kubernetes' own name rule for most objects (PVCs, Secrets, custom resources).
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    // libvirt's disk target names: hda, sdb, vdc, xvda, fda, ubda, and NVMe namespaces nvme0n1.
    [GeneratedRegex(@"^((hd|sd|vd|xvd|fd|ubd)[a-z]{1,3}|nvme[0-9]+n[0-9]+)$")]
    private static partial Regex DiskTarget();

    // Cronos also knows @every_minute and @every_second; schedules of a backup stay at cron's granularity.
    private static readonly HashSet<string> CronMacros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    public static IRuleBuilderOptions<T, string?> ObjectName<T>(this IRuleBuilder<T, string?> rule, string what) =>
        rule.Must(IsDns1123Subdomain).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a valid {what} name: expected a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', " +
            "starting and ending with a letter or digit, at most 253 characters)");

    public static bool IsDns1123Subdomain(string? value) =>
        value is { Length: > 0 and <= 253 } && Dns1123Subdomain().IsMatch(value);

    public static IRuleBuilderOptions<T, string?> DomainName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsDomainName).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a valid libvirt domain name: expected 1 to 255 characters without '/', " +
            "control characters or surrounding spaces, and not \".\" or \"..\"");

    /// <summary>
    /// libvirt refuses '/' in names; the name is also a directory of the repository, hence no "." or
    /// "..", and no spaces around it that a user would not see in `virsh list`.
    /// </summary>
    public static bool IsDomainName(string? value) =>
        value is { Length: > 0 and <= 255 } && value.Trim() == value && value is not ("." or "..")
        && !value.Contains('/') && !value.Any(char.IsControl);

    public static IRuleBuilderOptions<T, string?> NotBlank<T>(this IRuleBuilder<T, string?> rule, string expected) =>
        rule.Must(value => !string.IsNullOrWhiteSpace(value)).WithMessage((_, value) => $"{Quote.Of(value)} is empty: expected {expected}");

    public static IRuleBuilderOptions<T, string?> DiskTargetName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is not null && DiskTarget().IsMatch(value)).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a disk target name: expected a target of the domain's XML such as vda, sdb or hdc");

    public static IRuleBuilderOptions<T, string?> AbsolutePath<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is not null && value.StartsWith('/') && IsCleanPath(value)).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not an absolute path on the libvirt host: expected a path starting with '/', without '..' segments or backslashes");

    public static IRuleBuilderOptions<T, string?> RelativePath<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is { Length: > 0 } && !value.StartsWith('/') && IsCleanPath(value)).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a relative path inside the claim: expected a path such as hv1 or backups/hv1, " +
            "not starting with '/', without '..' segments or backslashes");

    // A backslash is a separator to some tools and not to others ("..\\x"); a NUL cuts the path short in C.
    private static bool IsCleanPath(string path) =>
        !path.Contains('\\') && !path.Contains('\0') && !path.Split('/').Contains("..");

    public static IRuleBuilderOptions<T, string?> CronSchedule<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => CronProblem(value) is null).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a valid cron expression: {CronProblem(value)}; " +
            "expected five fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\", or @daily, @hourly, @weekly, @monthly, @yearly");

    private static string? CronProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "it is empty";
        var trimmed = value.Trim();
        if (trimmed.StartsWith('@'))
            return CronMacros.Contains(trimmed) ? null : $"{trimmed} is not a known macro";
        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields != 5) return $"it has {fields} field{(fields == 1 ? "" : "s")}";
        try
        {
            CronExpression.Parse(trimmed, CronFormat.Standard);
            return null;
        }
        catch (CronFormatException e)
        {
            return e.Message.TrimEnd('.');
        }
    }

    public static IRuleBuilderOptions<T, string?> KnownTimeZone<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsKnownTimeZone).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a known time zone: expected an IANA name such as Europe/Rome, America/New_York or UTC");

    private static bool IsKnownTimeZone(string? id)
    {
        // The id becomes a path under /usr/share/zoneinfo; refuse anything that could leave it.
        if (string.IsNullOrWhiteSpace(id) || id.StartsWith('/') || !IsCleanPath(id)) return false;
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return false;
        }
    }

    public static IRuleBuilderOptions<T, IntOrString?> PositiveQuantity<T>(this IRuleBuilder<T, IntOrString?> rule) =>
        rule.Must(value => value?.Value is { } text && ParsesAsPositive(text)).WithMessage((_, value) =>
            $"{Quote.Of(value?.Value)} is not a positive quantity: expected bytes per second such as 200Mi, 1G or 50000000");

    private static bool ParsesAsPositive(string text)
    {
        try
        {
            return new ResourceQuantity(text).ToDecimal() > 0;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }
}
