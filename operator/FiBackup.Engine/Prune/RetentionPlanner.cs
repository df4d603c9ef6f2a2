using System.Globalization;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Prune;

/// <summary>
/// Decides which restore points a <see cref="RetentionPolicy"/> keeps. Pure: no files, no clock;
/// days, weeks and months are those of <c>zone</c>, so "daily" means the user's days.
/// </summary>
public static class RetentionPlanner
{
    public const string NewestReason = "newest point (the next incremental builds on it)";

    public static RetentionPlan Plan(IReadOnlyList<RestorePointManifest> points, RetentionPolicy policy, TimeZoneInfo zone)
    {
        policy.Validate();
        var newestFirst = points.OrderByDescending(p => p.Time).ThenByDescending(p => p.Id, StringComparer.Ordinal).ToList();
        var buckets = new[]
        {
            new Bucket("daily", policy.KeepDaily, t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new Bucket("weekly", policy.KeepWeekly, t => $"{ISOWeek.GetYear(t):0000}-W{ISOWeek.GetWeekOfYear(t):00}"),
            new Bucket("monthly", policy.KeepMonthly, t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
        };

        var decisions = new List<RetentionDecision>(newestFirst.Count);
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var point = newestFirst[i];
            var local = TimeZoneInfo.ConvertTime(point.Time, zone).DateTime;
            var reasons = new List<string>();
            if (i == 0) reasons.Add(NewestReason);
            if (i < policy.KeepLast) reasons.Add($"last {i + 1} of {policy.KeepLast}");
            foreach (var bucket in buckets)
            {
                if (bucket.Take(local) is { } reason) reasons.Add(reason);
            }
            decisions.Add(new RetentionDecision(point, reasons.Count > 0, reasons));
        }
        return new RetentionPlan(policy, decisions);
    }

    /// <summary>
    /// One calendar rule: walking from the newest point back, the first point met in each new period
    /// (the newest of that period) is kept, until the rule has kept its count.
    /// </summary>
    private sealed class Bucket(string name, int count, Func<DateTime, string> period)
    {
        private string? _last;
        private int _kept;

        public string? Take(DateTime local)
        {
            var value = period(local);
            if (_kept >= count || value == _last) return null;
            _last = value;
            _kept++;
            return $"{name} {value}";
        }
    }
}
