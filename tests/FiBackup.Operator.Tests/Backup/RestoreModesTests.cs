using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// The ways `fibackup restore` can put a point back: in place over a shut-off domain (--force),
/// as the domain itself when it is gone, images only (--no-define), some disks (--disk), started
/// (--start); and the refusals that protect a domain that still exists. Tests that only restore
/// beside the domain share one backed-up domain.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class RestoreModesTests(LibvirtFixture fixture, BackedUpDomain shared) : IClassFixture<BackedUpDomain>
{
    private const long MiB = 1 << 20;

    private static Task<CliRun> RestoreAsync(BackupScenario scenario, string pointId, string targetDirectory, params string[] extra) =>
        Fibackup.RunAsync(["restore", "--connect", LibvirtFixture.Uri, "--repository", scenario.Repository, "--domain", scenario.Domain.Name,
            "--point", pointId, "--target-dir", targetDirectory, .. extra]);

    private static void AssertSucceeded(CliRun run) => Assert.True(run.ExitCode == 0, $"restore failed: {run}");

    private string NewTarget(string what) => Path.Combine(shared.Scenario.WorkDirectory, $"{what}-{Guid.NewGuid():N}");

    [Fact]
    public async Task Force_restore_over_a_shut_off_domain_points_its_disks_at_the_restored_images_and_keeps_the_old_ones()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x51);
        await scenario.WriteAsync("vdb", MiB, MiB, 0x52);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", MiB, 2 * MiB, 0x53); // after the point: the restore must undo it
        var oldImages = scenario.Domain.Disks.SelectMany(d => scenario.Domain.LiveChain(d.Target)).ToList();
        var uuid = scenario.Domain.Domain.Uuid;
        var target = Path.Combine(scenario.WorkDirectory, "in-place");

        var run = await RestoreAsync(scenario, scenario.PointIds[0], target, "--force");

        AssertSucceeded(run);
        using var restored = scenario.Domain.Connection.LookupDomain(scenario.Domain.Name);
        Assert.Equal(uuid, restored.Uuid);
        Assert.False(restored.IsActive);
        await RestoredDomain.AssertDisksRestoredAsync(scenario, restored, scenario.PointIds[0], target, "vda", "vdb");
        Assert.All(oldImages, image => Assert.True(File.Exists(image), $"the old image {image} was deleted by an in-place restore"));
    }

    [Fact]
    public async Task Force_restore_over_a_running_domain_is_refused_and_leaves_it_untouched()
    {
        var scenario = shared.Scenario;
        var before = await UntouchedState.CaptureAsync(scenario);
        var target = NewTarget("force-running");

        var run = await RestoreAsync(scenario, shared.PointId, target, "--force");

        CliError.AssertFailed(run, CliError.InvalidInput, "--force", $"\"{scenario.Domain.Name}\" is running");
        Assert.False(Path.Exists(target), "a refused restore created its target directory");
        await before.AssertUnchangedAsync(scenario, run);
    }

    [Fact]
    public async Task A_restore_without_as_or_force_while_the_domain_exists_is_refused_suggesting_both()
    {
        var scenario = shared.Scenario;
        var before = await UntouchedState.CaptureAsync(scenario);
        var target = NewTarget("exists");

        var run = await RestoreAsync(scenario, shared.PointId, target);

        CliError.AssertFailed(run, CliError.InvalidInput, $"\"{scenario.Domain.Name}\" exists", "--as: ", "new name", "in place");
        Assert.False(Path.Exists(target), "a refused restore created its target directory");
        await before.AssertUnchangedAsync(scenario, run);
    }

    [Fact]
    public async Task A_restore_of_a_domain_that_no_longer_exists_defines_it_again_with_its_name_and_uuid()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        await scenario.WriteAsync("vda", 0, MiB, 0x54);
        await scenario.WriteAsync("vdb", 5 * MiB, MiB, 0x55);
        await scenario.BackupAsync();
        var uuid = scenario.Domain.Domain.Uuid;
        scenario.Domain.Domain.Undefine();
        var target = Path.Combine(scenario.WorkDirectory, "defined-again");

        var run = await RestoreAsync(scenario, scenario.PointIds[0], target);

        AssertSucceeded(run);
        Assert.Contains("defined again with its saved name and UUID", run.Error);
        using var restored = scenario.Domain.Connection.LookupDomain(scenario.Domain.Name);
        Assert.Equal(uuid, restored.Uuid);
        await RestoredDomain.AssertDisksRestoredAsync(scenario, restored, scenario.PointIds[0], target, "vda", "vdb");
    }

    [Fact]
    public async Task No_define_only_writes_the_images()
    {
        var scenario = shared.Scenario;
        var before = await UntouchedState.CaptureAsync(scenario);
        var domainsBefore = DomainNames(scenario);
        var target = NewTarget("images-only");

        var run = await RestoreAsync(scenario, shared.PointId, target, "--no-define");

        AssertSucceeded(run);
        Assert.Contains("(images only)", run.Output);
        Assert.Equal(domainsBefore, DomainNames(scenario));
        await before.AssertUnchangedAsync(scenario, run);
        foreach (var disk in scenario.Domain.Disks)
        {
            var image = Assert.Single(Directory.GetFiles(target, $"*-{disk.Target}-*.qcow2"));
            Assert.True(await FiBackup.Testing.Repositories.QemuTools.SameContentAsync(image, scenario.Expected(disk.Target).PointImage(shared.PointId)),
                $"restored image {image} differs from what the guest had on {disk.Target} at the point");
        }
        Assert.Equal(scenario.Domain.Disks.Count, Directory.GetFiles(target).Length);
    }

    [Fact]
    public async Task A_restore_of_one_disk_defines_a_domain_with_only_that_disk()
    {
        var scenario = shared.Scenario;
        await using var copy = new RestoredDomain(scenario.Domain.Connection, $"{scenario.Domain.Name}-vda-only");
        var target = NewTarget("vda-only");

        var run = await RestoreAsync(scenario, shared.PointId, target, "--as", copy.Name, "--disk", "vda");

        AssertSucceeded(run);
        using var restored = copy.Lookup();
        await RestoredDomain.AssertDisksRestoredAsync(scenario, restored, shared.PointId, target, "vda");
        Assert.Empty(Directory.GetFiles(target, "*-vdb-*"));
    }

    [Fact]
    public async Task Start_runs_the_restored_domain()
    {
        var scenario = shared.Scenario;
        await using var copy = new RestoredDomain(scenario.Domain.Connection, $"{scenario.Domain.Name}-started");
        var target = NewTarget("started");

        var run = await RestoreAsync(scenario, shared.PointId, target, "--as", copy.Name, "--start");

        AssertSucceeded(run);
        Assert.Contains(", started", run.Output);
        using var restored = copy.Lookup();
        Assert.True(restored.IsActive, $"{copy.Name} was restored with --start but does not run");
        await RestoredDomain.AssertDisksRestoredAsync(scenario, restored, shared.PointId, target, "vda", "vdb");
    }

    [Fact]
    public async Task A_restore_whose_start_fails_says_so_in_one_line_undefines_the_copy_and_names_the_images_it_kept()
    {
        // The saved XML still attaches the install ISO, which is gone by the time of the restore:
        // libvirt defines the copy, and starting it fails.
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false, new TestDomainOptions { Cdrom = true });
        await scenario.WriteAsync("vda", 0, MiB, 0x56);
        await scenario.BackupAsync();
        File.Delete(scenario.Domain.CdromPath!);
        await using var copy = new RestoredDomain(scenario.Domain.Connection, $"{scenario.Domain.Name}-nostart");
        var target = Path.Combine(scenario.WorkDirectory, "start-fails");

        var run = await RestoreAsync(scenario, scenario.PointIds[0], target, "--as", copy.Name, "--start");

        var error = CliError.AssertFailed(run, CliError.Failure, copy.Name, "libvirt", scenario.Domain.CdromPath!, "undefined", target);
        Assert.DoesNotContain("Unhandled exception", run.ToString());
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Null(scenario.Domain.Connection.TryLookupDomain(copy.Name));
        var images = Directory.GetFiles(target, "*.qcow2");
        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.Contains(image, error));
    }

    /// <summary>Domains named after the test domain (other test assemblies define domains of their own meanwhile).</summary>
    private static List<string> DomainNames(BackupScenario scenario)
    {
        var domains = scenario.Domain.Connection.ListDomains();
        try
        {
            return domains.Select(d => d.Name).Where(n => n.StartsWith(scenario.Domain.Name, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToList();
        }
        finally
        {
            foreach (var domain in domains) domain.Dispose();
        }
    }
}
