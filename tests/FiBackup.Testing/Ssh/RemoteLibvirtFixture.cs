using FiBackup.Libvirt;
using Xunit;

namespace FiBackup.Testing.Ssh;

/// <summary>
/// A <see cref="LoopbackSshd"/> and a libvirt connection through it to this machine's libvirtd
/// (qemu+ssh://root@127.0.0.1:PORT/system), for tests that must go the remote way. Fails loudly
/// when sshd or libvirtd is missing.
/// </summary>
public sealed class RemoteLibvirtFixture : IAsyncLifetime
{
    private LoopbackSshd? sshd;
    private LibvirtConnection? connection;

    public LoopbackSshd Sshd => sshd ?? throw new InvalidOperationException("the fixture is not initialized");

    /// <summary>The connection over ssh, shared by the tests of a class (a test that cuts connections uses an sshd of its own).</summary>
    public LibvirtConnection Connection => connection ?? throw new InvalidOperationException("the fixture is not initialized");

    public string Uri => Sshd.LibvirtUri;

    public async Task InitializeAsync()
    {
        sshd = await LoopbackSshd.StartAsync();
        connection = LibvirtConnection.Open(sshd.LibvirtUri);
    }

    public Task DisposeAsync()
    {
        connection?.Dispose();
        sshd?.Dispose();
        return Task.CompletedTask;
    }
}
