using FiBackup.Engine.Diagnostics;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A shut-off domain whose vda is a raw image: whatever moves the domain back onto that image
/// (an offline consolidation into the base, the rollback of a failed backup) must keep its driver
/// type raw, or QEMU refuses to start it ("Image is not in qcow2 format").
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class RawDiskTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    private static Task<BackupScenario> ShutOffWithRawVdaAsync(LibvirtFixture fixture) =>
        BackupScenario.CreateAsync(fixture, running: false, options: new TestDomainOptions
        {
            RawDisks = ["vda"],
            DiskFileNames = new Dictionary<string, string> { ["vda"] = "vda.raw" },
        });

    [Fact]
    public async Task Offline_consolidate_into_a_raw_base_leaves_a_domain_that_starts_with_all_its_data()
    {
        await using var scenario = await ShutOffWithRawVdaAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x61);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 2 * MiB, MiB, 0x62);

        var run = await Fibackup.RunAsync("consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--allow-base-write");

        Assert.True(run.ExitCode == 0, $"consolidate failed: {run}");
        Assert.Equal([scenario.Domain.Disk("vda").Path], await scenario.LiveChainAsync("vda"));
        scenario.Domain.Domain.Start();
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x61);
        await scenario.Domain.AssertGuestPatternAsync("vda", 2 * MiB, MiB, 0x62);
    }

    [Fact]
    public async Task A_failed_first_backup_of_a_shut_off_domain_rolls_back_onto_its_raw_image_and_the_domain_starts()
    {
        await using var scenario = await ShutOffWithRawVdaAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x63);

        var run = await Fibackup.RunProcessAsync(new Dictionary<string, string> { [FaultPoint.Variable] = "during-copy" },
            "backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository);

        CliError.AssertFailed(run, CliError.Failure, "injected failure at during-copy");
        Assert.Equal([scenario.Domain.Disk("vda").Path], await scenario.LiveChainAsync("vda"));
        scenario.Domain.Domain.Start();
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x63);
    }
}
