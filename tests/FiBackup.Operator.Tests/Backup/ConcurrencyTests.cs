using FiBackup.Engine.Repository.Locking;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>Invariant 5: one operation per domain at a time; the second one is told who is busy and changes nothing.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class ConcurrencyTests(BackedUpDomain shared) : IClassFixture<BackedUpDomain>
{
    private BackupScenario Scenario => shared.Scenario;

    [Fact]
    public async Task A_backup_while_another_operation_holds_the_domain_is_refused_as_busy_naming_the_holder()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        using (DomainLock.Acquire(DomainLockPaths.ForHost(LibvirtFixture.Uri, Scenario.Domain.Name),
                   "fibackup consolidate (test)", TimeSpan.Zero, CancellationToken.None, Scenario.Domain.Name))
        {
            var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", Scenario.Domain.Name,
                "--repository", Scenario.Repository);

            CliError.AssertFailed(run, 3, Scenario.Domain.Name, "busy", "fibackup consolidate (test)");
            await before.AssertUnchangedAsync(Scenario, run);
        }

        // Once the holder is gone, the same command goes through.
        await Scenario.BackupAsync();
    }
}
