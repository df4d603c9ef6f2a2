using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Testing.Repositories;
using static FiBackup.Testing.Repositories.RestorePointAssert;

namespace FiBackup.Operator.Tests.Cli;

public sealed class PruneCommandTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();

    public void Dispose() => _repository.Dispose();

    /// <summary>A full and four incrementals, one a day; keep-last 2 drops the full and two incrementals.</summary>
    private async Task<SyntheticDomain> FivePointsAsync()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        for (var i = 0; i < 5; i++) await domain.BackupAsync(Day1.AddDays(i));
        return domain;
    }

    private string[] Prune(params string[] more) =>
        ["prune", "--repository", _repository.Root, "--domain", "web-1", "--time-zone", "UTC", .. more];

    private async Task<IReadOnlyList<string>> ListedIdsAsync()
    {
        var run = await Fibackup.RunAsync("list", "--repository", _repository.Root);
        Assert.Equal(0, run.ExitCode);
        return run.Output.TrimEnd().Split('\n').Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]).ToList();
    }

    [Fact]
    public async Task Pruned_points_disappear_from_list_and_the_rest_still_restore_and_verify()
    {
        var domain = await FivePointsAsync();

        var run = await Fibackup.RunAsync(Prune("--keep-last", "2"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([domain.Points[3].Id, domain.Points[4].Id], await ListedIdsAsync());
        Assert.Contains("hv1/web-1: keep-last 2: keep 2, drop 3 of 5 restore points", run.Output);
        Assert.Matches(@"pruned hv1/web-1: dropped 3 restore points; wrote 4 files \(.+\), deleted 10 files \(.+\)", run.Output);
        await EveryPointRestoresExactlyAsync(domain);
        Assert.Equal(0, (await Fibackup.RunAsync("verify", "--repository", _repository.Root)).ExitCode);
    }

    [Fact]
    public async Task A_dry_run_prints_each_decision_with_its_reasons_and_changes_nothing()
    {
        var domain = await FivePointsAsync();
        var before = ChainFiles(domain);

        var run = await Fibackup.RunAsync(Prune("--keep-last", "1", "--keep-daily", "2", "--dry-run"));

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal("hv1/web-1: keep-last 1, keep-daily 2: keep 2, drop 3 of 5 restore points (dry run: nothing changed)", lines[0]);
        Assert.Matches(@"^ACTION +POINT +TYPE +REASON$", lines[1]);
        Assert.Matches(@"^keep +20261127T020000Z +incremental +newest point \(the next incremental builds on it\), last 1 of 1, daily 2026-11-27$", lines[2]);
        Assert.Matches(@"^keep +20261126T020000Z +incremental +daily 2026-11-26$", lines[3]);
        Assert.Matches(@"^drop +20261125T020000Z +incremental +matches no rule$", lines[4]);
        Assert.Matches(@"^drop +20261123T020000Z +full +matches no rule$", lines[6]);
        Assert.Equal(before, ChainFiles(domain));
        Assert.Equal(5, (await ListedIdsAsync()).Count);
    }

    [Theory]
    [InlineData("--keep-last", "-1")]
    [InlineData("--keep-daily", "-3")]
    [InlineData("--keep-weekly", "-1")]
    [InlineData("--keep-monthly", "-2")]
    public async Task A_negative_count_is_an_input_error_naming_the_option(string option, string value)
    {
        await FivePointsAsync();

        var run = await Fibackup.RunAsync(Prune(option, value));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"fibackup: error: {option}: the count {value} is negative", run.Error);
        Assert.Equal(5, (await ListedIdsAsync()).Count);
    }

    [Fact]
    public async Task A_prune_without_any_keep_option_is_refused()
    {
        await FivePointsAsync();

        var run = await Fibackup.RunAsync(Prune());

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("fibackup: error: --keep-last: at least one keep rule must be above 0 (all of --keep-last, --keep-daily, --keep-weekly, --keep-monthly are 0)", run.Error);
    }

    [Theory]
    [InlineData(Pruner.CrashAfterNewFiles)]
    [InlineData(Pruner.CrashAfterFirstManifestRewrite)]
    [InlineData(Pruner.CrashAfterFirstManifestDelete)]
    [InlineData(Pruner.CrashAfterFirstFileDelete)]
    public async Task A_prune_killed_at_any_step_leaves_every_point_restorable_and_the_next_prune_finishes(string step)
    {
        var domain = await FivePointsAsync();
        // keep-last 2: days 4 and 5 stay, days 1-3 go (the full included), so every kind of new file is written.
        var crashed = await Fibackup.RunProcessAsync(new Dictionary<string, string> { [CrashPoint.EnvironmentVariable] = step },
            Prune("--keep-last", "2"));

        Assert.Equal(137, crashed.ExitCode); // 128 + SIGKILL
        Assert.Contains($"{CrashPoint.EnvironmentVariable}={step}", crashed.Error);
        Assert.NotEmpty(Directory.EnumerateFiles(domain.Layout.JournalDirectory, "prune-*.json"));
        await EveryPointRestoresExactlyAsync(domain);
        await VerifiesAsync(domain);

        var again = await Fibackup.RunAsync(Prune("--keep-last", "2"));

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("finished an interrupted prune", again.Output);
        Assert.Equal([domain.Points[3].Id, domain.Points[4].Id], await ListedIdsAsync());
        await EveryPointRestoresExactlyAsync(domain);
        await VerifiesAsync(domain);
        var referenced = new ManifestStore(domain.Layout).List().SelectMany(p => p.Disks).SelectMany(d => d.Files)
            .Select(f => f.Path).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(referenced, ChainFiles(domain));
        Assert.Empty(Directory.EnumerateFiles(domain.Layout.JournalDirectory));
    }
}
