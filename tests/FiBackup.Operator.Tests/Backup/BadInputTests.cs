using System.Diagnostics;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// Issue 3, bad input (DESIGN invariant 6): every refusal is one error line naming the bad thing,
/// a non-zero exit, and no change to the running domain (live chains, overlays) or the repository.
/// The tests share one backed-up domain; each one checks it is exactly as it found it.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class BadInputTests(BackedUpDomain shared) : IClassFixture<BackedUpDomain>
{
    private const long MiB = 1 << 20;
    private BackupScenario Scenario => shared.Scenario;

    private string[] Backup(string repository, params string[] extra) => BackupThrough(LibvirtFixture.Uri, repository, extra);

    private string[] BackupThrough(string uri, string repository, params string[] extra) =>
        ["backup", "--connect", uri, "--domain", Scenario.Domain.Name, "--repository", repository, .. extra];

    private string[] Restore(params string[] extra) =>
        ["restore", "--connect", LibvirtFixture.Uri, "--repository", Scenario.Repository, "--domain", Scenario.Domain.Name, .. extra];

    /// <summary>A repository path nothing has used yet, inside the test domain's directory.</summary>
    private string FreshRepository() => Path.Combine(Scenario.WorkDirectory, $"repository-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_backup_of_a_domain_that_does_not_exist_fails_naming_it()
    {
        var repository = FreshRepository();

        var run = await Fibackup.RunAsync(["backup", "--connect", LibvirtFixture.Uri, "--domain", "fibt-no-such-domain", "--repository", repository]);

        CliError.AssertFailed(run, CliError.InvalidInput, "--domain", "\"fibt-no-such-domain\" not found");
        Assert.False(Path.Exists(repository), "a refused backup created the repository");
    }

    [Fact]
    public async Task A_backup_through_an_unreachable_libvirt_uri_fails_fast_naming_the_uri()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        var elapsed = Stopwatch.StartNew();

        // Nothing listens on port 1: the connection is refused at once, it must not be retried for minutes.
        var run = await Fibackup.RunAsync(BackupThrough("qemu+tcp://127.0.0.1:1/system", Scenario.Repository));

        elapsed.Stop();
        CliError.AssertFailed(run, CliError.Failure, "--connect", "qemu+tcp://127.0.0.1:1/system");
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"a refused connection took {elapsed.Elapsed} to report");
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("qemu://[::1/system")]
    public async Task A_backup_through_a_malformed_libvirt_uri_is_refused_as_bad_input(string uri)
    {
        var before = await UntouchedState.CaptureAsync(Scenario);

        var run = await Fibackup.RunAsync(BackupThrough(uri, Scenario.Repository));

        CliError.AssertFailed(run, CliError.InvalidInput, "--connect", uri);
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Fact]
    public async Task A_backup_into_a_read_only_repository_fails_naming_it_and_leaves_the_domain_untouched()
    {
        await using var readOnly = await TmpfsMount.CreateAsync(Scenario.WorkDirectory, MiB, readOnly: true);
        var before = await UntouchedState.CaptureAsync(Scenario, readOnly.Path);

        var run = await Fibackup.RunAsync(Backup(readOnly.Path));

        CliError.AssertFailed(run, CliError.Failure, "--repository", readOnly.Path, "not writable");
        await before.AssertUnchangedAsync(Scenario, run, readOnly.Path);
    }

    [Fact]
    public async Task A_full_backup_that_cannot_fit_the_repository_is_refused_before_the_snapshot()
    {
        // The guest wrote 6 MiB on vda alone; the repository holds 4.
        await using var small = await TmpfsMount.CreateAsync(Scenario.WorkDirectory, 4 * MiB, readOnly: false);
        Assert.True(BackedUpDomain.VdaDataBytes > 4 * MiB);
        var before = await UntouchedState.CaptureAsync(Scenario, small.Path);

        var run = await Fibackup.RunAsync(Backup(small.Path));

        CliError.AssertFailed(run, CliError.Failure, small.Path, "too full", "nothing was changed");
        await before.AssertUnchangedAsync(Scenario, run, small.Path);
    }

    [Fact]
    public async Task An_incremental_backup_into_a_repository_without_a_chain_is_refused()
    {
        var repository = FreshRepository();
        var before = await UntouchedState.CaptureAsync(Scenario, repository);

        var run = await Fibackup.RunAsync(Backup(repository, "--mode", "incremental"));

        CliError.AssertFailed(run, CliError.InvalidInput, "--mode: ", "incremental", "no restore point");
        await before.AssertUnchangedAsync(Scenario, run, repository);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0")]
    [InlineData("10 parsecs")]
    public async Task A_backup_with_a_bad_bandwidth_is_refused_naming_the_option(string bandwidth)
    {
        var before = await UntouchedState.CaptureAsync(Scenario);

        var run = await Fibackup.RunAsync(Backup(Scenario.Repository, "--bandwidth", bandwidth));

        CliError.AssertFailed(run, CliError.InvalidInput, "--bandwidth", $"\"{bandwidth}\"");
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Fact]
    public async Task A_backup_with_a_bad_mode_is_refused_by_the_parser_naming_the_option()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);

        var run = await Fibackup.RunAsync(Backup(Scenario.Repository, "--mode", "sometimes"));

        // A parse error, reported before any command runs, under the same contract as other errors.
        CliError.AssertFailed(run, CliError.InvalidInput, "--mode", "sometimes");
        Assert.Empty(run.Output);
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Theory]
    [InlineData("backup")]
    [InlineData("consolidate")]
    [InlineData("restore")]
    public async Task A_domain_name_that_climbs_out_of_the_repository_is_refused(string command)
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        string[] args = command switch
        {
            "backup" => ["backup", "--connect", LibvirtFixture.Uri, "--repository", Scenario.Repository],
            "consolidate" => ["consolidate", "--connect", LibvirtFixture.Uri],
            _ => ["restore", "--repository", Scenario.Repository, "--point", "latest", "--target-dir", FreshRepository()],
        };

        var run = await Fibackup.RunAsync([.. args, "--domain", "../etc"]);

        CliError.AssertFailed(run, CliError.InvalidInput, "--domain", "\"../etc\"");
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Fact]
    public async Task A_restore_as_a_name_with_a_path_in_it_is_refused()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        var target = Path.Combine(Scenario.WorkDirectory, "restore-as-path");

        var run = await Fibackup.RunAsync(Restore("--point", shared.PointId, "--target-dir", target, "--as", "../x"));

        CliError.AssertFailed(run, CliError.InvalidInput, "--as", "\"../x\"");
        Assert.False(Path.Exists(target), "a refused restore created its target directory");
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Fact]
    public async Task A_restore_into_a_target_dir_with_dot_dot_is_refused()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        var target = Path.Combine(Scenario.WorkDirectory, "inner", "..", "escaped");

        var run = await Fibackup.RunAsync(Restore("--point", shared.PointId, "--target-dir", target, "--as", $"{Scenario.Domain.Name}-escaped"));

        CliError.AssertFailed(run, CliError.InvalidInput, target, "'..'");
        Assert.False(Path.Exists(Path.GetFullPath(target)), "a refused restore created its target directory");
        Assert.Null(Scenario.Domain.Connection.TryLookupDomain($"{Scenario.Domain.Name}-escaped"));
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Theory]
    [InlineData("19990101T000000Z", "has no restore point 19990101T000000Z")]
    [InlineData("garbage", "\"garbage\" is not a restore point id")]
    public async Task A_restore_of_an_unknown_point_is_refused_naming_it(string point, string message)
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        var target = Path.Combine(Scenario.WorkDirectory, "restore-unknown-point");

        var run = await Fibackup.RunAsync(Restore("--point", point, "--target-dir", target, "--as", $"{Scenario.Domain.Name}-unknown"));

        CliError.AssertFailed(run, CliError.InvalidInput, "--point", message);
        Assert.False(Path.Exists(target), "a refused restore created its target directory");
        await before.AssertUnchangedAsync(Scenario, run);
    }

    [Fact]
    public async Task A_restore_as_the_name_of_an_existing_domain_is_refused()
    {
        var before = await UntouchedState.CaptureAsync(Scenario);
        var target = Path.Combine(Scenario.WorkDirectory, "restore-as-existing");

        var run = await Fibackup.RunAsync(Restore("--point", shared.PointId, "--target-dir", target, "--as", Scenario.Domain.Name));

        CliError.AssertFailed(run, CliError.InvalidInput, "--as", $"\"{Scenario.Domain.Name}\" already exists");
        Assert.False(Path.Exists(target), "a refused restore created its target directory");
        await before.AssertUnchangedAsync(Scenario, run);
    }
}
