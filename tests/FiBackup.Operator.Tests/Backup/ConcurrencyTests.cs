using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>Invariant 5: one operation per domain at a time; the second one is told who is busy and changes nothing.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class ConcurrencyTests(BackedUpDomain shared) : IClassFixture<BackedUpDomain>
{
    /// <summary>The same libvirtd as <see cref="LibvirtFixture.Uri"/>, reached through a differently spelled URI.</summary>
    private const string OtherUriToTheSameDaemon = "qemu+unix:///system";

    private BackupScenario Scenario => shared.Scenario;

    private static DomainLockKey KeyThrough(string uri, string domainName)
    {
        using var source = LibvirtVmSource.Connect(uri);
        using var domain = source.OpenDomain(domainName);
        return new DomainLockKey(source.HypervisorId, domain.Uuid, domain.Name);
    }

    [Fact]
    public async Task A_backup_while_another_operation_holds_the_domain_is_refused_as_busy_naming_the_holder()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        await using (await new FileDomainLocks().AcquireAsync(KeyThrough(LibvirtFixture.Uri, Scenario.Domain.Name),
                         "fibackup consolidate (test)", CancellationToken.None))
        {
            var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", Scenario.Domain.Name,
                "--repository", Scenario.Repository);

            CliError.AssertFailed(run, 3, Scenario.Domain.Name, "busy", "fibackup consolidate (test)");
            await before.AssertUnchangedAsync(Scenario, run);
        }

        // Once the holder is gone, the same command goes through.
        await Scenario.BackupAsync();
    }

    [Fact]
    public async Task Two_uris_to_the_same_libvirtd_contend_for_one_domain_lock()
    {
        var viaDefault = KeyThrough(LibvirtFixture.Uri, Scenario.Domain.Name);
        var viaOther = KeyThrough(OtherUriToTheSameDaemon, Scenario.Domain.Name);
        Assert.Equal(viaDefault, viaOther);
        Assert.Matches("^[0-9a-f-]{36}$", viaDefault.HypervisorId);

        var before = await UntouchedState.CaptureAsync(Scenario);
        await using (await new FileDomainLocks().AcquireAsync(viaDefault, "fibackup backup (test)", CancellationToken.None))
        {
            var run = await Fibackup.RunAsync("backup", "--connect", OtherUriToTheSameDaemon, "--domain", Scenario.Domain.Name,
                "--repository", Scenario.Repository);

            CliError.AssertFailed(run, 3, "busy", "fibackup backup (test)");
            await before.AssertUnchangedAsync(Scenario, run);
        }
    }

    [Fact]
    public void The_source_lists_every_defined_domain_running_or_not()
    {
        using var source = LibvirtVmSource.Connect(LibvirtFixture.Uri);
        Assert.Contains(Scenario.Domain.Name, source.ListDomainNames());
    }
}
