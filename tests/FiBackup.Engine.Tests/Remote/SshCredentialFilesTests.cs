using System.Text;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Engine.Tests.Remote;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SshCredentialFilesTests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----");
    private static readonly byte[] KnownHosts = Encoding.ASCII.GetBytes("[hv1]:2222 ssh-ed25519 AAAAC3Nza\n");

    [Fact]
    public void The_key_and_known_hosts_are_files_only_their_owner_can_read_and_are_gone_after_dispose()
    {
        string directory;
        using (var files = SshCredentialFiles.Write("Secret ns/hv1", Key, KnownHosts))
        {
            directory = files.Directory;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.PrivateKeyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.KnownHostsPath));
            // ssh wants the key's last line ended; a Secret made from a literal often lacks it.
            Assert.Equal([.. Key, (byte)'\n'], File.ReadAllBytes(files.PrivateKeyPath));
            Assert.Equal(KnownHosts, File.ReadAllBytes(files.KnownHostsPath));
            Assert.Contains($"UserKnownHostsFile={files.KnownHostsPath}", File.ReadAllText(files.SshCommandPath));
            Assert.Contains("StrictHostKeyChecking=yes", File.ReadAllText(files.SshCommandPath));
        }
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void Qemu_ssh_gets_the_key_and_the_wrapper_that_checks_known_hosts_and_libssh_gets_known_hosts_itself()
    {
        using var files = SshCredentialFiles.Write("Secret ns/hv1", Key, KnownHosts);
        Assert.Equal($"qemu+ssh://backup@hv1:2222/system?keyfile={Uri.EscapeDataString(files.PrivateKeyPath)}&command={Uri.EscapeDataString(files.SshCommandPath)}",
            files.ApplyTo("qemu+ssh://backup@hv1:2222/system"));
        Assert.Equal($"qemu+ssh://hv1/system?no_tty=1&keyfile={Uri.EscapeDataString(files.PrivateKeyPath)}&command={Uri.EscapeDataString(files.SshCommandPath)}",
            files.ApplyTo("qemu+ssh://hv1/system?no_tty=1"));
        Assert.Equal($"qemu+libssh://hv1/system?keyfile={Uri.EscapeDataString(files.PrivateKeyPath)}&known_hosts={Uri.EscapeDataString(files.KnownHostsPath)}&known_hosts_verify=normal",
            files.ApplyTo("qemu+libssh://hv1/system"));
    }

    [Theory]
    [InlineData("qemu+ssh://hv1/system?keyfile=/root/.ssh/id", "sets keyfile= itself")]
    [InlineData("qemu+ssh://hv1/system?no_verify=1", "sets no_verify= itself")]
    [InlineData("qemu+libssh://hv1/system?known_hosts=/k", "sets known_hosts= itself")]
    [InlineData("qemu+tls://hv1/system", "ssh credentials apply to qemu+ssh://")]
    [InlineData("qemu:///system", "ssh credentials apply to qemu+ssh://")]
    public void A_uri_that_brings_its_own_credentials_or_is_not_ssh_is_refused(string uri, string expected)
    {
        using var files = SshCredentialFiles.Write("Secret ns/hv1", Key, KnownHosts);
        var error = Assert.Throws<InvalidInputException>(() => files.ApplyTo(uri));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain(files.Directory, error.Message);
    }

    [Fact]
    public void A_Secret_without_a_key_or_known_hosts_is_refused_naming_the_missing_key()
    {
        Assert.Contains("Secret ns/hv1 has no ssh-privatekey", Assert.Throws<InvalidInputException>(() => SshCredentialFiles.Write("Secret ns/hv1", [], KnownHosts)).Message);
        Assert.Contains("Secret ns/hv1 has no known_hosts", Assert.Throws<InvalidInputException>(() => SshCredentialFiles.Write("Secret ns/hv1", Key, "\n "u8)).Message);
    }
}
