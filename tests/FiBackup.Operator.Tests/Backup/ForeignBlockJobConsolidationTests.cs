using FiBackup.Libvirt;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A block job fibackup did not start (a user's blockcopy, which stays mirroring until aborted or
/// pivoted, or an active blockcommit waiting in its ready phase) is not fibackup's to wait on or
/// pivot: backup and consolidate refuse promptly, naming the domain, the disk and the job, change
/// nothing, and succeed once the user ends the job.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class ForeignBlockJobConsolidationTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_backup_refuses_a_block_job_it_did_not_start_and_succeeds_once_it_ends()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x51);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 2 * MiB, MiB, 0x52);

        var copy = Path.Combine(scenario.WorkDirectory, "user-copy.qcow2");
        await HostTool.RunAsync("virsh", "-c", LibvirtFixture.Uri, "blockcopy", scenario.Domain.Name, "vda", copy, "--transient-job");
        var aborted = false;
        try
        {
            var before = await UntouchedState.CaptureAsync(scenario);
            // Bounded: the defect is a backup that waits forever on the user's mirror.
            var refused = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
                "--repository", scenario.Repository).WaitAsync(TimeSpan.FromSeconds(60));
            // DomainBusy (exit 3, retryable): the same backup succeeds once the user's job ends.
            CliError.AssertFailed(refused, FiBackup.Operator.Cli.CommandRunner.Busy, scenario.Domain.Name, "vda", "copy");
            await before.AssertUnchangedAsync(scenario, refused);
            // The user's job is left as it was: still there, not pivoted.
            Assert.Equal(BlockJobType.Copy, scenario.Domain.Domain.GetBlockJobInfo("vda")?.Type);
            Assert.DoesNotContain(copy, scenario.ActiveImage("vda"));
        }
        finally
        {
            await HostTool.RunAsync("virsh", "-c", LibvirtFixture.Uri, "blockjob", scenario.Domain.Name, "vda", "--abort", "--async");
            for (var i = 0; i < 100 && scenario.Domain.Domain.GetBlockJobInfo("vda") is not null; i++)
                await Task.Delay(100);
            aborted = true;
        }
        Assert.True(aborted);

        var next = await scenario.BackupAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(next.ExitCode == 0, next.ToString());
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Theory]
    [InlineData("blockcopy", "copy")]
    [InlineData("blockcommit", "commit")]
    public async Task Consolidate_refuses_at_once_a_block_job_it_did_not_start_and_succeeds_once_it_ends(string userJob, string named)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x61);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 2 * MiB, MiB, 0x62);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 4 * MiB, MiB, 0x63);

        string[] start = userJob == "blockcopy"
            ? ["blockcopy", scenario.Domain.Name, "vda", Path.Combine(scenario.WorkDirectory, "user-copy.qcow2"), "--transient-job"]
            // Active commit of the top overlay into the one below: it waits in its ready phase for the user's pivot or abort.
            : ["blockcommit", scenario.Domain.Name, "vda", "--active", "--shallow"];
        await HostTool.RunAsync("virsh", ["-c", LibvirtFixture.Uri, .. start]);
        var userJobType = scenario.Domain.Domain.GetBlockJobInfo("vda")?.Type;
        Assert.NotNull(userJobType);
        try
        {
            var before = await UntouchedState.CaptureAsync(scenario);
            // Bounded: the defect is a consolidation that waits forever on (or pivots) the user's job.
            var refused = await Fibackup.RunAsync("consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name)
                .WaitAsync(TimeSpan.FromSeconds(60));
            CliError.AssertFailed(refused, FiBackup.Operator.Cli.CommandRunner.Busy, scenario.Domain.Name, "vda", named);
            await before.AssertUnchangedAsync(scenario, refused);
            // The user's job is left as it was.
            Assert.Equal(userJobType, scenario.Domain.Domain.GetBlockJobInfo("vda")?.Type);
        }
        finally
        {
            await HostTool.RunAsync("virsh", "-c", LibvirtFixture.Uri, "blockjob", scenario.Domain.Name, "vda", "--abort", "--async");
            for (var i = 0; i < 100 && scenario.Domain.Domain.GetBlockJobInfo("vda") is not null; i++)
                await Task.Delay(100);
        }

        var next = await Fibackup.RunAsync("consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name)
            .WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(next.ExitCode == 0, next.ToString());
        await scenario.Domain.AssertGuestPatternAsync("vda", 4 * MiB, MiB, 0x63);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }
}
