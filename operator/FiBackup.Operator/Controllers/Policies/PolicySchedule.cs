using Cronos;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// When a policy's next run is and whether one is due, with batch/v1 CronJob's rules: of the
/// scheduled times missed since the last one handled, only the most recent runs, and only while it
/// is at most startingDeadlineSeconds late; a later one is recorded as missed instead.
/// </summary>
public sealed class PolicySchedule
{
    private readonly CronExpression cron;
    private readonly TimeZoneInfo zone;
    private readonly TimeSpan? startingDeadline;

    public PolicySchedule(string schedule, string? timeZone, long? startingDeadlineSeconds)
    {
        cron = CronExpression.Parse(schedule.Trim(), CronFormat.Standard);
        zone = string.IsNullOrEmpty(timeZone) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        startingDeadline = startingDeadlineSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
    }

    /// <summary>The first scheduled time strictly after <paramref name="after"/>.</summary>
    public DateTime? NextAfter(DateTime after) => cron.GetNextOccurrence(Utc(after), zone, inclusive: false);

    /// <summary>
    /// What to do at <paramref name="now"/>, given the newest scheduled time already handled (run or
    /// recorded as missed), or the policy's creation when there is none.
    /// </summary>
    public ScheduleDecision Decide(DateTime handledUntil, DateTime now)
    {
        var from = Utc(handledUntil);
        var to = Utc(now);
        DateTime? newest = null;
        var count = 0;
        // Every slot is walked so status.missedRuns is exact: a per-minute schedule missed for a
        // year is 525,600 slots, about 0.2 s, and only once (the slots are then handled).
        foreach (var occurrence in cron.GetOccurrences(from, to, zone, fromInclusive: false, toInclusive: true))
        {
            newest = occurrence;
            count++;
        }
        var next = NextAfter(to);
        if (newest is not { } due) return new ScheduleDecision(null, count, next);
        var late = to - due;
        var inTime = startingDeadline is not { } deadline || late <= deadline;
        return inTime
            ? new ScheduleDecision(due, count - 1, next)
            : new ScheduleDecision(null, count, next) { NewestMissed = due };
    }

    private static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };
}

/// <summary>
/// <see cref="RunFor"/>: the scheduled time to run now (null when none is due).
/// <see cref="Missed"/>: scheduled times since the last handled one that will not run.
/// <see cref="NewestMissed"/>: the newest of them, so the policy records it as handled.
/// </summary>
public sealed record ScheduleDecision(DateTime? RunFor, int Missed, DateTime? Next)
{
    public DateTime? NewestMissed { get; init; }

    /// <summary>The newest scheduled time this decision settles, run or missed.</summary>
    public DateTime? Handled => RunFor ?? NewestMissed;
}
