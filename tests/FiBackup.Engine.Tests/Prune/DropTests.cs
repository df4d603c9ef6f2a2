using FiBackup.Engine.Errors;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Testing.Repositories;
using static FiBackup.Testing.Repositories.RestorePointAssert;

namespace FiBackup.Engine.Tests.Prune;

/// <summary>What the operator does to a repository besides retention: drop chosen points (a deleted VmBackup), delete a domain.</summary>
public sealed class DropTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 10, 1, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();
    private readonly Pruner _pruner = new(TimeZoneInfo.Utc, TimeProvider.System);

    public void Dispose() => _repository.Dispose();

    /// <summary>One chain of five daily points.</summary>
    private async Task<SyntheticDomain> FivePointsAsync(string name = "web-1")
    {
        var domain = _repository.AddDomain("hv1", name);
        for (var day = 0; day < 5; day++) await domain.BackupAsync(Day1.AddDays(day));
        return domain;
    }

    private static IReadOnlyList<string> PointIds(SyntheticDomain domain) =>
        new ManifestStore(domain.Layout).List().Select(p => p.Id).ToList();

    private static async Task AssertIntactAsync(SyntheticDomain domain)
    {
        await EveryPointRestoresExactlyAsync(domain);
        await VerifiesAsync(domain);
        var referenced = new ManifestStore(domain.Layout).List().SelectMany(p => p.Disks).SelectMany(d => d.Files)
            .Select(f => f.Path).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(referenced, ChainFiles(domain));
        if (Directory.Exists(domain.Layout.JournalDirectory)) Assert.Empty(Directory.EnumerateFiles(domain.Layout.JournalDirectory));
    }

    [Fact]
    public async Task Dropping_chosen_points_keeps_every_other_point_exact()
    {
        var domain = await FivePointsAsync();
        var ids = domain.Points.Select(p => p.Id).ToList();

        var result = await _pruner.DropAsync(domain.Layout, [ids[0], ids[2]], CancellationToken.None);

        Assert.Equal([ids[1], ids[3], ids[4]], PointIds(domain));
        Assert.Equal([ids[2], ids[0]], result.Plan.Dropped.Select(p => p.Id));
        Assert.Null(result.Plan.Policy);
        Assert.All(result.Plan.Kept, p => Assert.Contains(p.Id, PointIds(domain)));
        Assert.True(result.BytesDeleted > 0);
        await AssertIntactAsync(domain);
    }

    [Fact]
    public async Task Dropping_the_newest_point_leaves_the_older_ones_exact()
    {
        var domain = await FivePointsAsync();
        var ids = domain.Points.Select(p => p.Id).ToList();

        await _pruner.DropAsync(domain.Layout, [ids[^1]], CancellationToken.None);

        Assert.Equal(ids[..^1], PointIds(domain));
        await AssertIntactAsync(domain);
    }

    [Fact]
    public async Task Dropping_an_unknown_point_is_refused_as_point_not_found_and_changes_nothing()
    {
        var domain = await FivePointsAsync();
        var before = ChainFiles(domain);

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _pruner.DropAsync(domain.Layout, [domain.Points[1].Id, "20200101T000000Z"], CancellationToken.None));

        Assert.Equal(ErrorReason.PointNotFound, error.Reason);
        Assert.False(error.Retryable);
        Assert.Equal(EngineField.Points, error.Field);
        Assert.Contains("20200101T000000Z", error.Message);
        Assert.Equal(5, PointIds(domain).Count);
        Assert.Equal(before, ChainFiles(domain));
    }

    [Theory]
    [InlineData(0, 1, 0, 0)]
    [InlineData(0, 0, 1, 0)]
    [InlineData(0, 0, 0, 1)]
    public async Task Retention_never_drops_the_newest_point_even_when_it_is_a_month_old(int last, int daily, int weekly, int monthly)
    {
        // Rules count periods that have points, not periods back from today, and the newest point
        // stays whatever they say: a month-old newest point is still what the next incremental needs.
        var domain = _repository.AddDomain("hv1", "old-1");
        await domain.BackupAsync(Day1.AddDays(-60));
        await domain.BackupAsync(Day1.AddDays(-45));
        var newest = await domain.BackupAsync(Day1.AddDays(-30));

        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(last, daily, weekly, monthly), dryRun: false, CancellationToken.None);

        Assert.Contains(newest.Id, PointIds(domain));
        Assert.Contains(RetentionPlanner.NewestReason, result.Plan.Decisions.Single(d => d.Id == newest.Id).Reasons);
        await AssertIntactAsync(domain);
    }

    [Fact]
    public async Task Deleting_a_domain_removes_its_whole_directory_and_nothing_else()
    {
        var doomed = await FivePointsAsync("doomed");
        var kept = await FivePointsAsync("kept");

        await RepositoryAccess.DeleteDomainAsync(doomed.Layout, CancellationToken.None);

        Assert.False(Directory.Exists(doomed.Layout.Directory));
        Assert.Equal(["kept"], _repository.Layout.Domains().Select(d => d.Domain));
        await AssertIntactAsync(kept);
    }
}
