using FiBackup.Operator.Tests.Backup;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Remote;

/// <summary>
/// backup, list, verify, restore and prune of a host reached only through qemu+ssh, by a fibackup
/// process that cannot see the domain's image directory: the data can only have gone through
/// libvirt's volume streams.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class RemoteBackupTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    private static async Task<List<CliRun>> RunThreeBackupsAsync(RemoteScenario scenario)
    {
        var runs = new List<CliRun>();
        for (var round = 0; round < 3; round++)
        {
            var pattern = (byte)(0x10 * (round + 1) + 5);
            await scenario.WriteAsync("vda", round * MiB, 2 * MiB, pattern);
            await scenario.WriteAsync("vdb", (12 - round) * MiB, MiB / 2, (byte)(pattern + 1));
            runs.Add(await scenario.BackupAsync());
        }
        return runs;
    }

    [Fact]
    public async Task A_running_domain_over_qemu_ssh_backs_up_lists_verifies_restores_and_prunes_exactly()
    {
        await using var scenario = await RemoteScenario.CreateAsync(fixture, running: true);

        await RunThreeBackupsAsync(scenario);

        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        scenario.AssertRepositoryHoldsNoCredentials();
        var verify = await scenario.RunAsync("verify", "--repository", scenario.Repository, "--domain", scenario.Domain.Name);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        foreach (var point in scenario.PointIds) await scenario.AssertRestoresExactlyAsync(point);
        // The guest still has everything it wrote, on a chain that works.
        await scenario.Domain.AssertGuestPatternAsync("vda", 2 * MiB, 2 * MiB, 0x35);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 10 * MiB, MiB / 2, 0x36);

        var prune = await scenario.RunAsync("prune", "--repository", scenario.Repository, "--domain", scenario.Domain.Name, "--keep-last", "1");
        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Equal([scenario.PointIds[^1]], (await scenario.ListAsync()).Select(p => p.GetProperty("id").GetString()));
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[^1]);
    }

    [Fact]
    public async Task Overlays_on_a_remote_host_go_beside_its_images_even_where_this_machine_may_not_write_a_directory_of_that_name()
    {
        await using var scenario = await RemoteScenario.CreateAsync(fixture, running: true);
        scenario.HideReadOnly = true;
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x71);
        await scenario.WriteAsync("vdb", 5 * MiB, MiB, 0x72);

        // Without consolidation the overlays stay the disks' active images, where they can be seen.
        await scenario.BackupAsync("--consolidate", "none");

        foreach (var target in new[] { "vda", "vdb" })
        {
            var active = scenario.ActiveImage(target);
            Assert.Equal(scenario.Domain.Directory, Path.GetDirectoryName(active));
            Assert.Matches(@"\.fib-\d{8}T\d{6}Z\.qcow2$", active);
        }
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[0]);
    }

    [Fact]
    public async Task A_shut_off_domain_over_qemu_ssh_backs_up_and_restores_exactly_with_consolidation_deferred()
    {
        await using var scenario = await RemoteScenario.CreateAsync(fixture, running: false);

        var runs = await RunThreeBackupsAsync(scenario);

        Assert.False(scenario.Domain.Domain.IsActive);
        Assert.Contains("consolidation deferred to the next run in which the domain runs", runs[^1].Output + runs[^1].Error);
        var deferredChain = (await scenario.ChainAsync("vda")).Count;
        Assert.True(deferredChain >= 3, $"the shut-off domain's chain was folded although the host cannot edit offline: {deferredChain} images");
        Assert.Equal(["full", "incremental", "incremental"], (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()));
        var verify = await scenario.RunAsync("verify", "--repository", scenario.Repository, "--domain", scenario.Domain.Name);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        foreach (var point in scenario.PointIds) await scenario.AssertRestoresExactlyAsync(point);
        // The domain still starts on the chain the backups left and sees the last writes.
        scenario.Domain.Domain.Start();
        await scenario.Domain.AssertGuestPatternAsync("vda", 2 * MiB, 2 * MiB, 0x35);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 10 * MiB, MiB / 2, 0x36);

        // The first run in which it runs folds what was deferred.
        await scenario.WriteAsync("vda", 6 * MiB, MiB, 0x77);
        await scenario.BackupAsync();
        var chain = await scenario.ChainAsync("vda");
        Assert.True(chain.Count <= 3 && chain.Count < deferredChain + 1,
            $"the deferred consolidation did not happen once the domain ran: {string.Join(" <- ", chain.Reverse())}");
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[^1]);
    }

    [Fact]
    public async Task A_disk_on_a_template_over_qemu_ssh_gets_a_standalone_full_that_restores_exactly()
    {
        await using var scenario = await RemoteScenario.CreateAsync(fixture, running: false,
            new TestDomainOptions { DisksWithBackingChain = ["vda"] });
        var template = scenario.Domain.Disk("vda").TemplatePath!;
        await FiBackup.Engine.Tools.ExternalTool.RunAsync("qemu-io", ["-f", "qcow2", "-c", $"write -P 0x6e {8 * MiB} {2 * MiB}", template], CancellationToken.None);
        scenario.ExpectTemplateContent("vda", 8 * MiB, 2 * MiB, 0x6e);
        scenario.Domain.Domain.Start();
        await scenario.WriteAsync("vda", 9 * MiB, MiB, 0x6f);

        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 0, MiB, 0x70);
        await scenario.BackupAsync();

        Assert.Empty(Directory.EnumerateDirectories(scenario.Repository, "*-chain", SearchOption.AllDirectories));
        foreach (var point in scenario.PointIds) await scenario.AssertRestoresExactlyAsync(point);
    }

    [Fact]
    public async Task The_bitmap_technique_over_qemu_ssh_is_refused_naming_the_field_and_nothing_changes()
    {
        await using var scenario = await RemoteScenario.CreateAsync(fixture, running: true);
        var chainBefore = await scenario.ChainAsync("vda");

        var run = await scenario.StartBackup("--technique", "bitmap");

        Assert.True(run.ExitCode != 0, $"a bitmap backup over ssh was not refused: {run}");
        Assert.Contains("--technique", run.Error);
        Assert.Contains("remote connection", run.Error);
        Assert.Contains("nothing was changed", run.Error);
        Assert.Equal(chainBefore, await scenario.ChainAsync("vda"));
        Assert.Empty(await scenario.ListAsync());
        Assert.Empty(await Checkpoints.OfAsync(scenario.Domain.Name));
    }
}
