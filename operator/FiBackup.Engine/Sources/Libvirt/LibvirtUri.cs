namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>What fibackup needs to know of a libvirt URI: whether it reaches another host, and how to name it safely.</summary>
public static class LibvirtUri
{
    /// <summary>
    /// True when the URI goes through a network transport (qemu+ssh://, qemu+libssh://, qemu+tls://,
    /// qemu+tcp://, qemu+ext://) or names a host (qemu://hv1/system is TLS): then this machine does
    /// not see the host's files. qemu:///system and qemu+unix:///system are local.
    /// </summary>
    public static bool IsRemote(string uri)
    {
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return false;
        var scheme = uri[..schemeEnd];
        var plus = scheme.IndexOf('+');
        if (plus >= 0) return scheme[(plus + 1)..] != "unix";
        var rest = uri[(schemeEnd + 3)..];
        var authorityEnd = rest.IndexOfAny(['/', '?']);
        return (authorityEnd < 0 ? rest : rest[..authorityEnd]).Length > 0;
    }

    /// <summary>
    /// The URI without its query (keyfile=, known_hosts=, command=, … name local credential files)
    /// and without a password in its user part: what messages, logs and manifests may show.
    /// </summary>
    public static string Redact(string uri)
    {
        var query = uri.IndexOf('?');
        var result = query < 0 ? uri : uri[..query];
        var schemeEnd = result.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return result;
        var authorityStart = schemeEnd + 3;
        var authorityEnd = result.IndexOf('/', authorityStart);
        var authority = authorityEnd < 0 ? result[authorityStart..] : result[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        var colon = at < 0 ? -1 : authority.IndexOf(':');
        if (colon < 0 || colon > at) return result;
        return result[..authorityStart] + authority[..colon] + authority[at..] + (authorityEnd < 0 ? "" : result[authorityEnd..]);
    }
}
