using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Engine.Tests.Locking;

/// <summary>The CLI's injected domain locks: one flock file per (hypervisor, domain UUID), whatever the names.</summary>
public sealed class FileDomainLocksTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fibt-locks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_second_acquire_of_the_same_identity_is_busy_naming_the_holder_even_under_another_name()
    {
        var locks = new FileDomainLocks(_directory);
        var uuid = Guid.NewGuid();
        await using (await locks.AcquireAsync(new DomainLockKey("host-1", uuid, "web-1"), "fibackup backup of web-1", CancellationToken.None))
        {
            var error = await Assert.ThrowsAsync<BusyException>(() =>
                locks.AcquireAsync(new DomainLockKey("host-1", uuid, "web-1-renamed"), "fibackup restore", CancellationToken.None));
            Assert.Equal(ErrorReason.DomainBusy, error.Reason);
            Assert.True(error.Retryable);
            Assert.Contains("fibackup backup of web-1", error.Message);
        }
        // Released on dispose: the same identity can be taken again.
        await using (await locks.AcquireAsync(new DomainLockKey("host-1", uuid, "web-1"), "again", CancellationToken.None)) { }
    }

    [Fact]
    public async Task Another_domain_or_another_host_is_another_lock()
    {
        var locks = new FileDomainLocks(_directory);
        var uuid = Guid.NewGuid();
        await using var first = await locks.AcquireAsync(new DomainLockKey("host-1", uuid, "web-1"), "a", CancellationToken.None);
        await using var otherDomain = await locks.AcquireAsync(new DomainLockKey("host-1", Guid.NewGuid(), "web-1"), "b", CancellationToken.None);
        await using var otherHost = await locks.AcquireAsync(new DomainLockKey("host-2", uuid, "web-1"), "c", CancellationToken.None);
        Assert.Equal(3, Directory.GetFiles(_directory, "*.lock").Length);
    }

    [Fact]
    public void The_lock_file_is_named_from_the_hypervisor_and_the_domain_uuid()
    {
        var uuid = Guid.Parse("7d2b8b8e-0000-4000-8000-000000000001");
        Assert.Equal(Path.Combine(_directory, "4c4c4544-0042-host-7d2b8b8e-0000-4000-8000-000000000001.lock"),
            new FileDomainLocks(_directory).PathFor(new DomainLockKey("4c4c4544-0042-host", uuid, "web-1")));
    }

    [Fact]
    public void The_hypervisor_id_is_the_host_uuid_of_the_capabilities()
    {
        const string capabilities = "<capabilities><host><uuid>4C4C4544-0042-3510-8052-B4C04F4E4E32</uuid><cpu/></host></capabilities>";
        Assert.Equal("4c4c4544-0042-3510-8052-b4c04f4e4e32", LibvirtVmSource.HostUuid(capabilities));
        Assert.Null(LibvirtVmSource.HostUuid("<capabilities><host/></capabilities>"));
    }
}
