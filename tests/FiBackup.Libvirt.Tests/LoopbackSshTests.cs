using System.Security;
using FiBackup.Testing.Ssh;

namespace FiBackup.Libvirt.Tests;

/// <summary>The binding over qemu+ssh, through an sshd of the test's own on loopback.</summary>
public sealed class LoopbackSshTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    private const long MiB = Overlays.MiB;

    [Fact]
    public async Task A_qemu_ssh_connection_reaches_the_same_daemon_and_sees_its_domains()
    {
        using var sshd = await LoopbackSshd.StartAsync();
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);

        using var remote = LibvirtConnection.Open(sshd.LibvirtUri);

        Assert.StartsWith("qemu+ssh://root@127.0.0.1:", remote.Uri);
        using var domain = remote.TryLookupDomain(vm.Name);
        Assert.NotNull(domain);
        Assert.NotEmpty(sshd.ConnectionProcessIds());
    }

    [Fact]
    public async Task A_sparse_download_over_ssh_reproduces_the_image_byte_for_byte()
    {
        using var sshd = await LoopbackSshd.StartAsync();
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, diskBytes: 32 * MiB, start: false);
        await HostTool.RunAsync("qemu-io", "-f", "qcow2", "-c", "write -P 0x6b 3M 2M", vm.Disk("vda").Path);
        using var remote = LibvirtConnection.Open(sshd.LibvirtUri);
        using var pool = CreatePool(remote, vm.Directory);
        try
        {
            using var volume = pool.LookupVolume("vda.qcow2");
            var copy = Path.Combine(vm.Directory, "copy.qcow2");

            await using (var destination = File.Create(copy))
                await volume.DownloadAsync(destination, sparse: true, Overlays.Timeout());

            Assert.Equal(await File.ReadAllBytesAsync(vm.Disk("vda").Path), await File.ReadAllBytesAsync(copy));
        }
        finally
        {
            pool.Destroy();
        }
    }

    [Fact]
    public async Task Killing_the_ssh_connection_mid_download_fails_the_download_as_a_lost_connection()
    {
        using var sshd = await LoopbackSshd.StartAsync();
        await using var vm = await libvirt.CreateDomainAsync(disks: 0, start: false);
        var big = vm.PathIn("big.raw");
        await WriteIncompressibleAsync(big, 256 * MiB);
        using var remote = LibvirtConnection.Open(sshd.LibvirtUri);
        var pool = CreatePool(libvirt.Connection, vm.Directory);
        try
        {
            using var volume = remote.LookupVolumeByPath(big);
            long received = 0;
            var killed = 0;
            var download = volume.DownloadAsync(0, 0, sparse: true,
                (data, _) =>
                {
                    received += data.Length;
                    if (received >= 8 * MiB && killed == 0) killed = sshd.KillConnections();
                    return ValueTask.CompletedTask;
                },
                (_, _) => ValueTask.CompletedTask, Overlays.Timeout());

            var error = await Assert.ThrowsAsync<LibvirtException>(() => download);

            Assert.True(killed > 0, "no sshd process served the connection");
            Assert.True(received < 256 * MiB, $"the whole volume arrived ({received} bytes) although the connection was cut");
            // Which one depends on where the cut catches the client: a failed read (SystemError), the
            // RPC layer noticing first, or "client socket is closed" (InternalError from the RPC layer).
            Assert.True(error.Code is LibvirtErrorCode.SystemError or LibvirtErrorCode.Rpc or LibvirtErrorCode.InvalidConn or LibvirtErrorCode.NoConnect
                        || (error.Code == LibvirtErrorCode.InternalError && error.ErrorDomain == LibvirtErrorDomain.Rpc),
                $"unexpected error for a cut connection: {error.Message} (domain {error.ErrorDomain})");
            Assert.False(remote.IsAlive);
        }
        finally
        {
            pool.Destroy();
            pool.Dispose();
        }
    }

    private static StoragePool CreatePool(LibvirtConnection connection, string directory) =>
        connection.CreateTransientPool(
            $"<pool type='dir'><name>fibt-pool-{Guid.NewGuid().ToString("N")[..8]}</name><target><path>{SecurityElement.Escape(directory)}</path></target></pool>");

    private static async Task WriteIncompressibleAsync(string path, long bytes)
    {
        var block = new byte[MiB];
        await using var file = File.Create(path);
        for (long done = 0; done < bytes; done += block.Length)
        {
            Random.Shared.NextBytes(block);
            await file.WriteAsync(block);
        }
    }
}
