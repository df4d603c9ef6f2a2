using FiBackup.Engine.Diagnostics;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A backup that fails after its snapshot (here an injected I/O error in the middle of the copy,
/// as a full disk or a dropped mount would cause) must put the domain back on the image it ran
/// on, lose none of the guest's writes, and leave nothing that stops the next backup.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class CopyFailureTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_copy_that_fails_after_the_snapshot_rolls_the_domain_back_and_the_next_backup_restores_exactly()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x21);
        await scenario.WriteAsync("vdb", 4 * MiB, MiB, 0x22);
        var before = await UntouchedState.CaptureAsync(scenario);

        // A child process: FIBACKUP_FAIL_AT is read from the environment, which is process-wide,
        // and other test classes run fibackup in this process at the same time.
        var run = await Fibackup.RunProcessAsync(new Dictionary<string, string> { [FaultPoint.Variable] = "during-copy" },
            "backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository);

        CliError.AssertFailed(run, CliError.Failure, "injected failure at during-copy");
        // Same active images and chains as before (the overlay was folded back and deleted), no
        // restore point, no partial or journal file left in the repository.
        await before.AssertUnchangedAsync(scenario, run);
        Assert.Empty(await scenario.ListAsync());

        await scenario.WriteAsync("vda", MiB, 2 * MiB, 0x23);   // overlaps the write before the failure
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x21);
        await scenario.Domain.AssertGuestPatternAsync("vda", MiB, 2 * MiB, 0x23);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 4 * MiB, MiB, 0x22);

        await scenario.BackupAsync();
        Assert.Equal(["full"], (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }
}
