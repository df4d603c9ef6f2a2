using FluentValidation;

namespace FiBackup.Operator.Api.Validation;

/// <summary>
/// The libvirt connection URIs the operator can drive: the QEMU driver over its local and remote
/// transports, and libvirt's test driver. Anything else (xen://, lxc://, a typo) is refused up front
/// instead of failing later in virConnectOpen with a less helpful message.
/// </summary>
internal static class LibvirtUri
{
    private static readonly string[] QemuSchemes =
        ["qemu", "qemu+ssh", "qemu+tls", "qemu+tcp", "qemu+unix", "qemu+libssh", "qemu+libssh2"];

    private const string Expected =
        "expected qemu:///system, qemu:///session, qemu+ssh://user@host/system (transports ssh, tls, tcp, unix, libssh, libssh2) or test:///default";

    public static IRuleBuilderOptions<T, string?> SupportedLibvirtUri<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => Problem(value) is null).WithMessage((_, value) =>
            $"{Quote.Of(value)} is not a supported libvirt URI: {Problem(value)}; {Expected}");

    /// <summary>Why the URI cannot be used, or null when it can.</summary>
    public static string? Problem(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri)) return "it is empty";
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0) return "it has no scheme";
        var scheme = uri[..schemeEnd];
        var rest = uri[(schemeEnd + 3)..];
        var pathStart = rest.IndexOf('/');
        var path = pathStart < 0 ? "" : rest[pathStart..];
        var query = path.IndexOf('?');
        if (query >= 0) path = path[..query];

        if (scheme == "test")
            return path == "/default" ? null : $"the test driver's path is /default, not {Quote.Of(path)}";
        if (!QemuSchemes.Contains(scheme))
            return $"the scheme {Quote.Of(scheme)} is not supported";
        return path is "/system" or "/session" ? null : $"the path must be /system or /session, not {Quote.Of(path)}";
    }
}
