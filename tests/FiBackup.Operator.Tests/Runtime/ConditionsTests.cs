namespace FiBackup.Operator.Tests.Runtime;

public sealed class ConditionsTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_message_with_the_same_status_keeps_the_last_transition_time()
    {
        var conditions = new List<V1Condition>();
        conditions.Set("Ready", Conditions.False, "InvalidSpec", "spec.schedule: bad", 1, Monday);

        var changed = conditions.Set("Ready", Conditions.False, "InvalidSchedule", "spec.schedule: still bad", 2, Monday.AddHours(1));

        var ready = Assert.Single(conditions);
        Assert.True(changed);
        Assert.Equal(Monday.UtcDateTime, ready.LastTransitionTime);
        Assert.Equal("InvalidSchedule", ready.Reason);
        Assert.Equal(2, ready.ObservedGeneration);
    }

    [Fact]
    public void A_status_change_moves_the_last_transition_time_and_is_true_reads_it()
    {
        var conditions = new List<V1Condition>();
        conditions.Set("Ready", Conditions.False, "InvalidSpec", "bad", 1, Monday);

        conditions.Set("Ready", Conditions.True, "Scheduled", "next backup at 02:00", 2, Monday.AddHours(1));

        Assert.Equal(Monday.AddHours(1).UtcDateTime, conditions.Get("Ready")!.LastTransitionTime);
        Assert.True(conditions.IsTrue("Ready"));
        Assert.False(conditions.IsTrue("Complete"));
    }

    [Fact]
    public void Setting_the_same_values_again_reports_no_change()
    {
        var conditions = new List<V1Condition>();
        conditions.Set("Ready", Conditions.True, "Scheduled", "ok", 1, Monday);

        Assert.False(conditions.Set("Ready", Conditions.True, "Scheduled", "ok", 1, Monday.AddMinutes(5)));
    }

    [Theory]
    [InlineData("invalid spec")]
    [InlineData("invalidSpec")]
    [InlineData("")]
    public void A_reason_that_is_not_camel_case_is_refused(string reason)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new List<V1Condition>().Set("Ready", Conditions.False, reason, "m", 1, Monday));
        Assert.Contains("CamelCase", error.Message);
    }
}
