using System.Text;
using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// An ssh private key and known_hosts that arrive as bytes (the operator's kubernetes.io/ssh-auth
/// Secret) written as files only this user can read, and the libvirt URI that uses them. Disposing
/// deletes the files. Host keys are always checked against the given known_hosts: a Secret without
/// one is refused rather than trusting whatever answers.
/// </summary>
public sealed class SshCredentialFiles : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private SshCredentialFiles(string directory) => Directory = directory;

    /// <summary>The private directory (mode 0700) holding the files.</summary>
    public string Directory { get; }

    public string PrivateKeyPath => Path.Combine(Directory, "id");
    public string KnownHostsPath => Path.Combine(Directory, "known_hosts");

    /// <summary>
    /// libvirt's qemu+ssh transport hands no known_hosts file to ssh (only its libssh transports
    /// read known_hosts=), so it runs this wrapper instead of ssh (the URI's command=).
    /// </summary>
    public string SshCommandPath => Path.Combine(Directory, "ssh");

    /// <param name="source">What the bytes came from, for messages (e.g. "Secret ns/name").</param>
    public static SshCredentialFiles Write(string source, ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> knownHosts)
    {
        if (privateKey.IsEmpty)
            throw new InvalidInputException($"{source} has no ssh-privatekey; put the private key libvirt logs in with there", EngineField.Source);
        if (knownHosts.IsEmpty || Encoding.UTF8.GetString(knownHosts).Trim().Length == 0)
            throw new InvalidInputException(
                $"{source} has no known_hosts; add the host's public key line (e.g. from `ssh-keyscan HOST`) so the host is verified", EngineField.Source);
        var directory = System.IO.Directory.CreateTempSubdirectory("fibackup-ssh-").FullName; // mode 0700
        var files = new SshCredentialFiles(directory);
        try
        {
            WriteOwnerOnly(files.PrivateKeyPath, WithFinalNewline(privateKey));
            WriteOwnerOnly(files.KnownHostsPath, WithFinalNewline(knownHosts));
            WriteOwnerOnly(files.SshCommandPath, Encoding.UTF8.GetBytes($"""
                #!/bin/sh
                # Written by fibackup for one connection: the host must be in this known_hosts.
                exec ssh -o UserKnownHostsFile={files.KnownHostsPath} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes "$@"

                """));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(files.SshCommandPath, OwnerOnly | UnixFileMode.UserExecute);
            return files;
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="uri"/> with keyfile= and, for qemu+ssh, command= (the wrapper) or, for the
    /// libssh transports, known_hosts= added. A URI that already names its own key, known_hosts or ssh
    /// command is refused: two sources of credentials would leave it unclear which one is used.
    /// </summary>
    public string ApplyTo(string uri)
    {
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd < 0 ? "" : uri[..schemeEnd];
        if (scheme is not ("qemu+ssh" or "qemu+libssh" or "qemu+libssh2"))
            throw new InvalidInputException(
                $"ssh credentials apply to qemu+ssh://, qemu+libssh:// and qemu+libssh2:// URIs, not to {LibvirtUri.Redact(uri)}", EngineField.Source);
        var query = uri.IndexOf('?');
        var parameters = query < 0 ? [] : uri[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in parameters.Select(p => p.Split('=', 2)[0]))
        {
            if (name is "keyfile" or "known_hosts" or "command" or "no_verify" or "known_hosts_verify")
                throw new InvalidInputException(
                    $"the URI {LibvirtUri.Redact(uri)} sets {name}= itself; with a credentials Secret the Secret provides the key and known_hosts, so remove {name}= from the URI", EngineField.Source);
        }
        var added = new List<string> { "keyfile=" + Uri.EscapeDataString(PrivateKeyPath) };
        if (scheme == "qemu+ssh") added.Add("command=" + Uri.EscapeDataString(SshCommandPath));
        else
        {
            added.Add("known_hosts=" + Uri.EscapeDataString(KnownHostsPath));
            added.Add("known_hosts_verify=normal");
        }
        return uri + (query < 0 ? "?" : uri.EndsWith('?') || uri.EndsWith('&') ? "" : "&") + string.Join('&', added);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a temp dir left behind holds nothing another user can read */ }
    }

    private static void WriteOwnerOnly(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly; // created 0600, never readable by others for an instant
        using var file = new FileStream(path, options);
        file.Write(content);
    }

    // ssh refuses a private key whose last line lacks its newline ("invalid format"), and a Secret
    // made with --from-literal often has none.
    private static byte[] WithFinalNewline(ReadOnlySpan<byte> content) =>
        content[^1] == (byte)'\n' ? content.ToArray() : [.. content, (byte)'\n'];
}
