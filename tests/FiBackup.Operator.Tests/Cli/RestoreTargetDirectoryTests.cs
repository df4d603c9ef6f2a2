using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Repositories;

namespace FiBackup.Operator.Tests.Cli;

/// <summary>
/// Where `fibackup restore --target-dir` may put images, and that they are there durably: never
/// inside the repository (a prune would treat them as the repository's), and a rename into the
/// target directory counts only once the directory is fsync'ed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RestoreTargetDirectoryTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();

    public void Dispose() => _repository.Dispose();

    private async Task<SyntheticDomain> TwoPointsAsync()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        await domain.BackupAsync(Day1);
        await domain.BackupAsync(Day1.AddDays(1));
        return domain;
    }

    private string[] RestoreImages(SyntheticDomain domain, string targetDirectory, params string[] more) =>
        ["restore", "--no-define", "--repository", _repository.Root, "--domain", "web-1", "--point", domain.Points[^1].Id,
            "--target-dir", targetDirectory, .. more];

    [Theory]
    [InlineData("")]
    [InlineData("restored")]
    [InlineData("hv1/web-1/chains")]
    [InlineData("hv1/web-1/chains/20261123T020000Z/vda")]
    public async Task A_target_directory_inside_the_repository_is_refused_naming_target_dir(string inside)
    {
        var domain = await TwoPointsAsync();
        var target = Path.Combine(_repository.Root, inside);
        var before = Snapshot(_repository.Root);

        var run = await Fibackup.RunAsync(RestoreImages(domain, target));

        CliError.AssertFailed(run, CliError.InvalidInput, "--target-dir: ", "inside the repository", _repository.Root);
        Assert.Equal(before, Snapshot(_repository.Root));
    }

    [Fact]
    public async Task A_target_directory_that_reaches_the_repository_through_a_symlink_is_refused()
    {
        var domain = await TwoPointsAsync();
        var link = Path.Combine(_repository.WorkDirectory, "link-to-repo");
        File.CreateSymbolicLink(link, _repository.Root);
        var before = Snapshot(_repository.Root);

        var run = await Fibackup.RunAsync(RestoreImages(domain, Path.Combine(link, "restored")));

        CliError.AssertFailed(run, CliError.InvalidInput, "--target-dir: ", "inside the repository");
        Assert.Equal(before, Snapshot(_repository.Root));
    }

    /// <summary>
    /// A directory its user may write into but not open (mode 0333) cannot be fsync'ed: the
    /// renames into it are not durable, so the restore must fail, not report success. Run as
    /// "nobody", since root opens any directory.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_restore_into_a_directory_that_cannot_be_fsynced_fails_and_leaves_nothing(bool flatten)
    {
        var domain = await TwoPointsAsync();
        File.SetUnixFileMode(_repository.WorkDirectory, (UnixFileMode)0b111_101_101);
        var target = _repository.Scratch("write-only");
        File.SetUnixFileMode(target, (UnixFileMode)0b011_011_011);

        var run = await RunAsNobodyAsync(RestoreImages(domain, target, flatten ? ["--flatten"] : []));

        CliError.AssertFailed(run, CliError.Failure, target, "fsync");
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    private static Task<CliRun> RunAsNobodyAsync(string[] args) =>
        Fibackup.RunProcessAsync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"],
            new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, args);

    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => File.Exists(f) ? SyntheticDomain.Sha256Of(f) : "dir");
}
