using FiBackup.Engine.Errors;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Tests.Prune;

public class RetentionPlannerTests
{
    private static RestorePointManifest Point(string time) => new()
    {
        Id = new RestorePointId(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).ToString(),
        Domain = "web-1", Host = "hv1", Time = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
        Type = BackupType.Incremental, Chain = "c", Sequence = 1, Disks = [], DomainXml = "<domain/>",
    };

    private static List<string> Kept(RetentionPlan plan) => plan.Kept.Select(p => p.Id).Order().ToList();

    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    [Fact]
    public void Keep_last_keeps_the_newest_points()
    {
        var points = new[] { "2026-11-01T02:00Z", "2026-11-02T02:00Z", "2026-11-03T02:00Z", "2026-11-04T02:00Z" }.Select(Point).ToList();

        var plan = RetentionPlanner.Plan(points, new RetentionPolicy(2, 0, 0, 0), Utc);

        Assert.Equal(["20261103T020000Z", "20261104T020000Z"], Kept(plan));
        Assert.Equal(["last 2 of 2"], plan.Decisions.Single(d => d.Id == "20261103T020000Z").Reasons);
        Assert.Empty(plan.Decisions.Single(d => d.Id == "20261101T020000Z").Reasons);
    }

    [Fact]
    public void Keep_daily_keeps_the_newest_point_of_each_of_the_most_recent_days_that_have_points()
    {
        // Nov 3 has no point: the two most recent days with points are Nov 4 and Nov 2.
        var points = new[]
        {
            "2026-11-01T10:00Z", "2026-11-02T01:00Z", "2026-11-02T23:00Z", "2026-11-04T01:00Z", "2026-11-04T12:00Z",
        }.Select(Point).ToList();

        var plan = RetentionPlanner.Plan(points, new RetentionPolicy(0, 2, 0, 0), Utc);

        Assert.Equal(["20261102T230000Z", "20261104T120000Z"], Kept(plan));
        Assert.Contains("daily 2026-11-02", plan.Decisions.Single(d => d.Id == "20261102T230000Z").Reasons);
    }

    [Fact]
    public void Keep_weekly_uses_iso_weeks_and_keep_monthly_calendar_months()
    {
        // Sun 2026-11-29 is in ISO week 48, Mon 2026-11-30 starts week 49; Dec 1 is a new month.
        var points = new[] { "2026-11-20T02:00Z", "2026-11-29T02:00Z", "2026-11-30T02:00Z", "2026-12-01T02:00Z" }.Select(Point).ToList();

        var weekly = RetentionPlanner.Plan(points, new RetentionPolicy(0, 0, 2, 0), Utc);
        var monthly = RetentionPlanner.Plan(points, new RetentionPolicy(0, 0, 0, 2), Utc);

        Assert.Equal(["20261129T020000Z", "20261201T020000Z"], Kept(weekly));
        Assert.Contains("weekly 2026-W48", weekly.Decisions.Single(d => d.Id == "20261129T020000Z").Reasons);
        Assert.Equal(["20261130T020000Z", "20261201T020000Z"], Kept(monthly));
        Assert.Contains("monthly 2026-11", monthly.Decisions.Single(d => d.Id == "20261130T020000Z").Reasons);
    }

    [Fact]
    public void Days_are_the_days_of_the_given_time_zone()
    {
        // 23:30 UTC on Nov 1 is already Nov 2 in Rome: both points fall on the same Rome day.
        var points = new[] { "2026-11-01T23:30Z", "2026-11-02T08:00Z" }.Select(Point).ToList();
        var rome = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");

        Assert.Equal(["20261102T080000Z"], Kept(RetentionPlanner.Plan(points, new RetentionPolicy(0, 2, 0, 0), rome)));
        Assert.Equal(2, Kept(RetentionPlanner.Plan(points, new RetentionPolicy(0, 2, 0, 0), Utc)).Count);
    }

    [Fact]
    public void Rules_add_up_and_the_newest_point_says_why_it_is_always_kept()
    {
        var points = new[] { "2026-09-15T02:00Z", "2026-10-15T02:00Z", "2026-11-01T02:00Z", "2026-11-02T02:00Z" }.Select(Point).ToList();

        var plan = RetentionPlanner.Plan(points, new RetentionPolicy(1, 0, 0, 3), Utc);

        Assert.Equal(["20260915T020000Z", "20261015T020000Z", "20261102T020000Z"], Kept(plan));
        Assert.Equal([RetentionPlanner.NewestReason, "last 1 of 1", "monthly 2026-11"], plan.Decisions[0].Reasons);
        Assert.False(plan.Decisions.Single(d => d.Id == "20261101T020000Z").Keep);
    }

    [Fact]
    public void A_policy_that_keeps_nothing_is_refused()
    {
        var error = Assert.Throws<InvalidInputException>(() =>
            RetentionPlanner.Plan([Point("2026-11-01T02:00Z")], new RetentionPolicy(0, 0, 0, 0), Utc));
        Assert.StartsWith("at least one keep rule must be above 0", error.Message);
        Assert.Equal(EngineField.KeepLast, error.Field);
        Assert.Equal(ErrorReason.InvalidSpec, error.Reason);
        Assert.False(error.Retryable);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0, EngineField.KeepLast)]
    [InlineData(1, -2, 0, 0, EngineField.KeepDaily)]
    [InlineData(1, 0, -1, 0, EngineField.KeepWeekly)]
    [InlineData(1, 0, 0, -5, EngineField.KeepMonthly)]
    public void A_negative_count_is_refused_naming_the_logical_field(int last, int daily, int weekly, int monthly, string field)
    {
        var error = Assert.Throws<InvalidInputException>(() => new RetentionPolicy(last, daily, weekly, monthly).Validate());
        Assert.Equal(field, error.Field);
        Assert.Contains("is negative", error.Message);
        Assert.DoesNotContain("--", error.Message);
    }

    [Fact]
    public void A_field_mapper_renames_the_field_and_the_rules_in_the_message()
    {
        var error = Assert.Throws<InvalidInputException>(() => new RetentionPolicy(0, 0, 0, 0).Validate(f => "spec.retention." + f));
        Assert.Equal("spec.retention.keepLast", error.Field);
        Assert.Contains("spec.retention.keepMonthly", error.Message);
    }
}
