using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Ssh;

namespace FiBackup.Operator.Tests.Remote;

/// <summary>
/// The URIs <see cref="SshCredentialFiles"/> makes, against a real sshd on loopback, over both ssh
/// transports: libvirt's qemu+ssh (ssh through the wrapper) and qemu+libssh (libvirt's own client,
/// which reads known_hosts= itself). A host key that is not the one in known_hosts is refused by both.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class SshCredentialTransportTests(LibvirtFixture fixture)
{
    [Theory]
    [InlineData("qemu+ssh")]
    [InlineData("qemu+libssh")]
    public async Task The_credential_files_log_in_and_a_host_key_not_in_known_hosts_is_refused(string scheme)
    {
        using var sshd = await LoopbackSshd.StartAsync();
        await using var vm = await fixture.CreateDomainAsync(disks: 0, start: false);
        var uri = $"{scheme}://root@127.0.0.1:{sshd.Port}/system";
        var key = await File.ReadAllBytesAsync(sshd.ClientKeyPath);

        var knownHosts = await File.ReadAllBytesAsync(sshd.KnownHostsPath);
        using (var files = SshCredentialFiles.Write("Secret t/hv1-ssh", key, knownHosts))
        using (var source = LibvirtVmSource.Connect(files.ApplyTo(uri)))
        {
            Assert.Contains(vm.Name, source.ListDomainNames());
            Assert.Equal(uri, source.Uri); // shown without the credential files
        }
        Assert.True(await sshd.WaitForLogAsync("Accepted publickey for root"), $"no login in sshd's log:\n{sshd.Log}");

        var otherKey = Path.Combine(sshd.Directory, "other_ed25519");
        await HostTool.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey);
        var impostor = System.Text.Encoding.ASCII.GetBytes($"[127.0.0.1]:{sshd.Port} {(await File.ReadAllTextAsync(otherKey + ".pub")).Trim()}\n");
        var logins = sshd.CountInLog("Accepted publickey");
        using var wrong = SshCredentialFiles.Write("Secret t/wrong", key, impostor);
        var error = Assert.ThrowsAny<FibackupException>(() => LibvirtVmSource.Connect(wrong.ApplyTo(uri)).Dispose());
        Assert.Equal(ErrorReason.LibvirtUnreachable, error.Reason);
        // A late line would be a login the refused key should not have had: give it the same time to show.
        Assert.False(await sshd.WaitForLogAsync("Accepted publickey", logins + 1, seconds: 1), $"the impostor's connection logged in:\n{sshd.Log}");
    }
}
