using System.Diagnostics;
using FiBackup.Operator.Controllers.Policies;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class PolicyScheduleTests
{
    private static DateTime Utc(string text) => DateTime.SpecifyKind(DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    [Fact]
    public void The_next_time_is_read_in_the_policys_time_zone()
    {
        var schedule = new PolicySchedule("0 2 * * *", "Europe/Rome", null);

        // 02:00 in Rome in November (CET, UTC+1) is 01:00 UTC.
        Assert.Equal(Utc("2026-11-27T01:00:00"), schedule.NextAfter(Utc("2026-11-26T12:00:00")));
    }

    [Fact]
    public void The_next_time_is_strictly_after_now()
    {
        var schedule = new PolicySchedule("0 2 * * *", null, null);

        Assert.Equal(Utc("2026-11-28T02:00:00"), schedule.NextAfter(Utc("2026-11-27T02:00:00")));
    }

    [Fact]
    public void A_0230_schedule_on_the_spring_forward_day_runs_once_right_after_the_gap()
    {
        // On 2026-03-29 Rome's clocks jump from 02:00 CET to 03:00 CEST: 02:30 never happens that day.
        var schedule = new PolicySchedule("30 2 * * *", "Europe/Rome", null);

        var onTheDay = schedule.NextAfter(Utc("2026-03-28T12:00:00"));
        Assert.Equal(Utc("2026-03-29T01:00:00"), onTheDay); // 03:00 CEST, the first instant after the gap
        Assert.Equal(Utc("2026-03-30T00:30:00"), schedule.NextAfter(onTheDay!.Value)); // 02:30 CEST
    }

    [Fact]
    public void A_0230_schedule_on_the_fall_back_day_runs_once_though_0230_happens_twice()
    {
        // On 2026-10-25 Rome's clocks go back from 03:00 CEST to 02:00 CET: 02:30 comes twice.
        var schedule = new PolicySchedule("30 2 * * *", "Europe/Rome", null);

        var first = schedule.NextAfter(Utc("2026-10-24T12:00:00"));
        Assert.Equal(Utc("2026-10-25T00:30:00"), first); // 02:30 CEST
        Assert.Equal(Utc("2026-10-26T01:30:00"), schedule.NextAfter(first!.Value)); // the next day, 02:30 CET
    }

    [Fact]
    public void A_due_slot_runs_and_the_next_decision_does_not_run_it_again()
    {
        var schedule = new PolicySchedule("0 2 * * *", null, null);
        var created = Utc("2026-11-26T12:00:00");
        var now = Utc("2026-11-27T02:00:03");

        var first = schedule.Decide(created, now);
        Assert.Equal(Utc("2026-11-27T02:00:00"), first.RunFor);
        Assert.Equal(0, first.Missed);
        Assert.Equal(Utc("2026-11-28T02:00:00"), first.Next);

        var again = schedule.Decide(first.Handled!.Value, now.AddSeconds(10));
        Assert.Null(again.RunFor);
        Assert.Null(again.NewestMissed);
        Assert.Equal(0, again.Missed);
    }

    [Fact]
    public void Nothing_is_due_before_the_first_slot()
    {
        var decision = new PolicySchedule("0 2 * * *", null, null).Decide(Utc("2026-11-27T00:00:00"), Utc("2026-11-27T01:59:59"));

        Assert.Null(decision.RunFor);
        Assert.Null(decision.Handled);
        Assert.Equal(Utc("2026-11-27T02:00:00"), decision.Next);
    }

    [Fact]
    public void After_several_missed_slots_only_the_newest_runs_and_the_others_count_as_missed()
    {
        var schedule = new PolicySchedule("0 2 * * *", null, null);

        // Down from the 24th 03:00 to the 27th 09:00: slots on the 25th, 26th and 27th.
        var decision = schedule.Decide(Utc("2026-11-24T03:00:00"), Utc("2026-11-27T09:00:00"));

        Assert.Equal(Utc("2026-11-27T02:00:00"), decision.RunFor);
        Assert.Equal(2, decision.Missed);
        Assert.Null(decision.NewestMissed);
    }

    [Fact]
    public void A_slot_later_than_the_starting_deadline_is_not_run_but_reported_as_the_newest_missed()
    {
        var schedule = new PolicySchedule("0 2 * * *", null, startingDeadlineSeconds: 3600);

        var decision = schedule.Decide(Utc("2026-11-26T12:00:00"), Utc("2026-11-27T03:00:01"));

        Assert.Null(decision.RunFor);
        Assert.Equal(Utc("2026-11-27T02:00:00"), decision.NewestMissed);
        Assert.Equal(Utc("2026-11-27T02:00:00"), decision.Handled);
        Assert.Equal(1, decision.Missed);
    }

    [Fact]
    public void A_slot_within_the_starting_deadline_runs()
    {
        var schedule = new PolicySchedule("0 2 * * *", null, startingDeadlineSeconds: 3600);

        var decision = schedule.Decide(Utc("2026-11-26T12:00:00"), Utc("2026-11-27T03:00:00"));

        Assert.Equal(Utc("2026-11-27T02:00:00"), decision.RunFor);
        Assert.Null(decision.NewestMissed);
        Assert.Equal(0, decision.Missed);
    }

    [Fact]
    public void Missed_slots_past_the_deadline_all_count_as_missed_and_the_newest_is_handled()
    {
        var schedule = new PolicySchedule("0 2 * * *", null, startingDeadlineSeconds: 60);

        var decision = schedule.Decide(Utc("2026-11-24T03:00:00"), Utc("2026-11-27T09:00:00"));

        Assert.Null(decision.RunFor);
        Assert.Equal(Utc("2026-11-27T02:00:00"), decision.NewestMissed);
        Assert.Equal(3, decision.Missed);
    }

    [Fact]
    public void A_per_minute_schedule_down_for_a_year_answers_quickly_with_the_newest_minute()
    {
        var schedule = new PolicySchedule("* * * * *", null, null);
        var now = Utc("2026-11-27T09:30:20");

        var watch = Stopwatch.StartNew();
        var decision = schedule.Decide(now.AddDays(-365), now);
        watch.Stop();

        Assert.Equal(Utc("2026-11-27T09:30:00"), decision.RunFor);
        Assert.Equal(Utc("2026-11-27T09:31:00"), decision.Next);
        Assert.True(decision.Missed > 0);
        // Generous on a shared machine: the walk is bounded (thousands of slots, not half a million).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_per_minute_schedule_down_for_a_year_counts_every_minute_but_the_newest_as_missed()
    {
        var schedule = new PolicySchedule("* * * * *", null, null);
        var now = Utc("2026-11-27T09:30:20");

        var decision = schedule.Decide(now.AddDays(-365), now);

        Assert.Equal(365 * 24 * 60 - 1, decision.Missed);
    }

    [Fact]
    public void A_per_minute_schedule_down_for_a_year_past_the_deadline_reports_the_newest_minute_as_missed()
    {
        var schedule = new PolicySchedule("* * * * *", null, startingDeadlineSeconds: 10);
        var now = Utc("2026-11-27T09:30:20");

        var decision = schedule.Decide(now.AddDays(-365), now);

        Assert.Null(decision.RunFor);
        Assert.Equal(Utc("2026-11-27T09:30:00"), decision.NewestMissed);
    }

    [Fact]
    public void The_daily_macro_runs_at_midnight_of_the_time_zone()
    {
        var schedule = new PolicySchedule("@daily", "Europe/Rome", null);

        Assert.Equal(Utc("2026-11-27T23:00:00"), schedule.NextAfter(Utc("2026-11-27T10:00:00")));
    }

    [Fact]
    public void The_hourly_macro_runs_at_the_top_of_each_hour()
    {
        var schedule = new PolicySchedule("@hourly", null, null);

        var decision = schedule.Decide(Utc("2026-11-27T10:00:00"), Utc("2026-11-27T11:00:30"));

        Assert.Equal(Utc("2026-11-27T11:00:00"), decision.RunFor);
        Assert.Equal(Utc("2026-11-27T12:00:00"), decision.Next);
    }
}
