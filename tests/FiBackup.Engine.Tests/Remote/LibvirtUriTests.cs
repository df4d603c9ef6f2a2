using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Engine.Tests.Remote;

public sealed class LibvirtUriTests
{
    [Theory]
    [InlineData("qemu:///system", false)]
    [InlineData("qemu:///session", false)]
    [InlineData("qemu+unix:///system", false)]
    [InlineData("test:///default", false)]
    [InlineData("qemu+ssh://backup@hv1/system", true)]
    [InlineData("qemu+ssh://root@127.0.0.1:2222/system?keyfile=/k", true)]
    [InlineData("qemu+libssh://hv1/system", true)]
    [InlineData("qemu+tls://hv1.example/system", true)]
    [InlineData("qemu+tcp://hv1/system", true)]
    [InlineData("qemu://hv1/system", true)]
    public void A_uri_is_remote_when_it_names_a_network_transport_or_a_host(string uri, bool remote) =>
        Assert.Equal(remote, LibvirtUri.IsRemote(uri));

    [Theory]
    [InlineData("qemu:///system", "qemu:///system")]
    [InlineData("qemu+ssh://root@127.0.0.1:2222/system?keyfile=/root/.ssh/id_backup&known_hosts=/k", "qemu+ssh://root@127.0.0.1:2222/system")]
    [InlineData("qemu+ssh://backup:s3cret@hv1/system", "qemu+ssh://backup@hv1/system")]
    [InlineData("qemu+ssh://backup:s3cret@hv1:22/system?no_verify=1", "qemu+ssh://backup@hv1:22/system")]
    public void Redacting_drops_the_query_and_a_password(string uri, string shown) =>
        Assert.Equal(shown, LibvirtUri.Redact(uri));
}
