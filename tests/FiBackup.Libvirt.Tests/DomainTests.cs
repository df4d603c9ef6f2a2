namespace FiBackup.Libvirt.Tests;

public sealed class DomainTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    [Fact]
    public void Missing_domain_throws_LibvirtException_with_code_no_domain()
    {
        var error = Assert.Throws<LibvirtException>(() => libvirt.Connection.LookupDomain("fibt-no-such-domain"));

        Assert.Equal(LibvirtErrorCode.NoDomain, error.Code);
        Assert.Equal(42, error.RawCode);
        Assert.Contains("fibt-no-such-domain", error.LibvirtMessage);
        Assert.Equal($"libvirt: {error.LibvirtMessage} (code 42 NO_DOMAIN)", error.Message);
        Assert.Equal("virDomainLookupByName", error.Function);
    }

    [Fact]
    public void Looking_up_a_missing_domain_by_uuid_throws_no_domain()
    {
        var error = Assert.Throws<LibvirtException>(() => libvirt.Connection.LookupDomain(Guid.NewGuid()));

        Assert.Equal(LibvirtErrorCode.NoDomain, error.Code);
    }

    [Fact]
    public void Trying_to_look_up_a_missing_domain_returns_null()
    {
        Assert.Null(libvirt.Connection.TryLookupDomain("fibt-no-such-domain"));
    }

    [Fact]
    public async Task Defined_domain_is_found_by_name_and_uuid_and_listed_as_inactive()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);

        using var byName = libvirt.Connection.LookupDomain(vm.Name);
        using var byUuid = libvirt.Connection.LookupDomain(byName.Uuid);

        Assert.Equal(vm.Name, byUuid.Name);
        Assert.NotEqual(Guid.Empty, byName.Uuid);
        Assert.Equal(DomainState.ShutOff, byName.State);
        Assert.False(byName.IsActive);
        Assert.True(byName.IsPersistent);
        Assert.Contains(vm.Name, Names(libvirt.Connection.ListDomains(includeInactive: true)));
        Assert.DoesNotContain(vm.Name, Names(libvirt.Connection.ListDomains(includeInactive: false)));
    }

    [Fact]
    public async Task Domain_started_paused_runs_after_resume_and_pauses_on_suspend()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);

        vm.Domain.Start(paused: true);
        Assert.Equal(DomainState.Paused, vm.Domain.State);
        Assert.True(vm.Domain.IsActive);
        vm.Domain.Resume();
        Assert.Equal(DomainState.Running, vm.Domain.State);
        vm.Domain.Suspend();
        Assert.Equal(DomainState.Paused, vm.Domain.State);
        vm.Domain.Destroy();
        Assert.Equal(DomainState.ShutOff, vm.Domain.State);
        Assert.Contains(vm.Name, Names(libvirt.Connection.ListDomains(includeInactive: true)));
    }

    [Fact]
    public async Task Live_xml_carries_runtime_details_the_inactive_xml_lacks()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        var live = vm.Domain.GetXml();
        var inactive = vm.Domain.GetXml(DomainXmlFlags.Inactive);

        Assert.Contains("<alias name='virtio-disk0'/>", live);
        Assert.DoesNotContain("<alias", inactive);
        Assert.Contains(vm.Disk("vda").Path, inactive);
    }

    [Fact]
    public async Task Undefining_a_shut_off_domain_removes_it()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);

        vm.Domain.Undefine();

        Assert.Null(libvirt.Connection.TryLookupDomain(vm.Name));
    }

    [Fact]
    public async Task Undefining_a_running_domain_leaves_it_running_as_transient()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        vm.Domain.Undefine(DomainUndefineFlags.SnapshotsMetadata | DomainUndefineFlags.CheckpointsMetadata);

        Assert.False(vm.Domain.IsPersistent);
        Assert.Equal(DomainState.Running, vm.Domain.State);
    }

    [Fact]
    public async Task A_shutdown_request_is_accepted_but_a_guest_without_an_os_keeps_running()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        vm.Domain.Shutdown();
        await Task.Delay(500);

        Assert.Equal(DomainState.Running, vm.Domain.State);
    }

    [Fact]
    public async Task Freezing_filesystems_of_a_domain_without_an_agent_channel_fails_with_argument_unsupported()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        var error = Assert.Throws<LibvirtException>(() => vm.Domain.FreezeFilesystems());

        Assert.Equal(LibvirtErrorCode.ArgumentUnsupported, error.Code);
        Assert.Contains("agent", error.Message);
    }

    [Fact]
    public async Task Freezing_or_thawing_filesystems_when_no_agent_answers_fails_with_agent_unresponsive()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, options: new TestDomainOptions { GuestAgentChannel = true });

        Assert.Equal(LibvirtErrorCode.AgentUnresponsive, Assert.Throws<LibvirtException>(() => vm.Domain.FreezeFilesystems()).Code);
        Assert.Equal(LibvirtErrorCode.AgentUnresponsive, Assert.Throws<LibvirtException>(() => vm.Domain.ThawFilesystems()).Code);
    }

    [Fact]
    public async Task A_domain_handle_stays_usable_after_its_connection_is_disposed()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);
        var connection = LibvirtConnection.Open(LibvirtFixture.Uri);
        using var domain = connection.LookupDomain(vm.Name);

        connection.Dispose();

        // libvirt's domain object holds a reference on its connection, so close only drops ours.
        Assert.Equal(DomainState.ShutOff, domain.State);
        Assert.Equal(vm.Name, domain.Name);
    }

    [Fact]
    public void Listing_domains_of_the_test_driver_returns_handles_that_each_work()
    {
        using var connection = LibvirtConnection.Open("test:///default");
        using var defined = connection.DefineDomain(
            "<domain type='test'><name>second</name><memory>65536</memory><os><type>hvm</type></os></domain>");

        var domains = connection.ListDomains().OrderBy(d => d.Name).ToList();

        Assert.Equal(["second", "test"], domains.Select(d => d.Name));
        Assert.Equal([DomainState.ShutOff, DomainState.Running], domains.Select(d => d.State));
        foreach (var d in domains) d.Dispose();
    }

    private static List<string> Names(IReadOnlyList<Domain> domains)
    {
        var names = domains.Select(d => d.Name).ToList();
        foreach (var d in domains) d.Dispose();
        return names;
    }
}
