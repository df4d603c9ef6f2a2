namespace FiBackup.Operator.Movers;

/// <summary>
/// A libvirt host as a spec names it: the URI, and the Secret whose ssh key and known_hosts the
/// connection logs in with (spec.source.libvirt.credentialsSecretRef), if any.
/// </summary>
public sealed record SourceConnection(string Uri, CredentialsSecret? Credentials = null);

/// <summary>A Secret in <paramref name="Namespace"/>; <paramref name="Field"/> is the spec field that named it, for messages.</summary>
public sealed record CredentialsSecret(string Namespace, string Name, string Field);
