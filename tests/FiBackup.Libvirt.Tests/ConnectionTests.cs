namespace FiBackup.Libvirt.Tests;

public sealed class ConnectionTests
{
    [Fact]
    public void Opening_qemu_system_reports_its_uri_hostname_and_hypervisor_version()
    {
        using var connection = LibvirtConnection.Open(LibvirtFixture.Uri);

        Assert.Equal("qemu:///system", connection.Uri);
        Assert.Equal(Environment.MachineName, connection.Hostname.Split('.')[0]);
        Assert.True(connection.HypervisorVersion >= new Version(7, 0), $"QEMU {connection.HypervisorVersion}");
        Assert.True(connection.IsAlive);
    }

    [Fact]
    public void The_capabilities_name_the_same_host_uuid_through_two_uris_to_one_daemon()
    {
        using var local = LibvirtConnection.Open(LibvirtFixture.Uri);
        using var unix = LibvirtConnection.Open("qemu+unix:///system");

        var uuid = System.Xml.Linq.XDocument.Parse(local.Capabilities).Root!.Element("host")!.Element("uuid")!.Value;

        Assert.True(Guid.TryParse(uuid, out _), $"host uuid \"{uuid}\" is not a UUID");
        Assert.Equal(local.Capabilities, unix.Capabilities);
    }

    [Fact]
    public void Read_only_connection_lists_domains_but_cannot_define_one()
    {
        using var connection = LibvirtConnection.Open(LibvirtFixture.Uri, readOnly: true);
        _ = connection.ListDomains();

        var error = Assert.Throws<LibvirtException>(() =>
            connection.DefineDomain("<domain type='qemu'><name>fibt-readonly</name><memory>65536</memory><os><type>hvm</type></os></domain>"));

        Assert.Equal(LibvirtErrorCode.OperationDenied, error.Code);
        Assert.Contains("read only", error.Message);
    }

    [Fact]
    public void Test_driver_connection_finds_its_running_default_domain()
    {
        using var connection = LibvirtConnection.Open("test:///default");

        using var domain = connection.LookupDomain("test");

        Assert.Equal("test:///default", connection.Uri);
        Assert.Equal(DomainState.Running, domain.State);
        Assert.Contains(connection.ListDomains(), d => d.Name == "test");
    }

    [Fact]
    public void Opening_an_unknown_uri_throws_with_libvirts_message()
    {
        var error = Assert.Throws<LibvirtException>(() => LibvirtConnection.Open("nosuchdriver:///x"));

        Assert.Equal(LibvirtErrorCode.NoConnect, error.Code);
        Assert.Equal("libvirt: no connection driver available for nosuchdriver:///x (code 5 NO_CONNECT)", error.Message);
    }

    [Fact]
    public async Task Keepalive_probes_keep_an_idle_connection_usable()
    {
        using var connection = LibvirtConnection.Open(LibvirtFixture.Uri);

        connection.SetKeepAlive(intervalSeconds: 1, count: 2);
        await Task.Delay(TimeSpan.FromSeconds(3.5));

        // Unanswered probes would have closed the connection after 2 s; answers are read by the event loop.
        Assert.True(connection.IsAlive);
        Assert.Equal("qemu:///system", connection.Uri);
    }

    [Fact]
    public void Calls_on_a_disposed_connection_throw_object_disposed()
    {
        var connection = LibvirtConnection.Open("test:///default");
        connection.Dispose();

        Assert.Throws<ObjectDisposedException>(() => connection.LookupDomain("test"));
    }
}
