namespace FiBackup.Operator.Movers;

/// <summary>
/// A libvirt host as a spec names it: the URI, and the Secret whose ssh key and known_hosts the
/// connection logs in with (spec.source.libvirt.credentialsSecretRef), if any.
/// </summary>
public sealed record SourceConnection(string Uri, CredentialsSecret? Credentials = null)
{
    /// <summary>
    /// The connection to <paramref name="uri"/>, logging in with the Secret <paramref name="secret"/>
    /// names in <paramref name="namespace"/> (the object's own); <paramref name="field"/> is where the
    /// reference was written, for messages.
    /// </summary>
    public static SourceConnection To(string uri, Api.V1Alpha1.LocalReference? secret, string @namespace, string field) =>
        new(uri, secret is null ? null : new CredentialsSecret(@namespace, secret.Name, field));
}

/// <summary>A Secret in <paramref name="Namespace"/>; <paramref name="Field"/> is the spec field that named it, for messages.</summary>
public sealed record CredentialsSecret(string Namespace, string Name, string Field);
