using System.Text.RegularExpressions;
using FiBackup.Operator.Controllers.Backups;

namespace FiBackup.Operator.Tests.Controllers;

public sealed partial class BackupNamesTests
{
    private static readonly DateTime Slot = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    // DNS-1123 subdomain (metadata.name of custom resources) and label value, as apimachinery checks them.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$")]
    private static partial Regex LabelValue();

    private static void AssertValidName(string name)
    {
        Assert.True(name.Length <= 253, $"{name.Length} characters: {name}");
        Assert.Matches(Subdomain(), name);
    }

    [Fact]
    public void A_run_name_is_policy_domain_and_the_slot_in_utc()
    {
        Assert.Equal("nightly-web-1-20261127t020000z", BackupNames.ForRun("nightly", "web-1", Slot));
    }

    [Fact]
    public void The_same_policy_domain_and_slot_always_give_the_same_name()
    {
        var local = Slot.ToLocalTime();

        Assert.Equal(BackupNames.ForRun("nightly", "Upper_Case.dots", Slot), BackupNames.ForRun("nightly", "Upper_Case.dots", Slot));
        Assert.Equal(BackupNames.ForRun("nightly", "web-1", Slot), BackupNames.ForRun("nightly", "web-1", local));
    }

    [Theory]
    [InlineData("Upper_Case.dots")]
    [InlineData("_leading-and-trailing_")]
    [InlineData("...")]
    [InlineData("日本語")]
    [InlineData("web 1")]
    [InlineData("fibt-web server é-0123456789")]
    [InlineData("crème")]
    public void Odd_domain_names_give_valid_dns_1123_names(string domain)
    {
        AssertValidName(BackupNames.ForRun("nightly", domain, Slot));
        AssertValidName(BackupNames.ForSyncedPoint("nightly", domain, "20261127T020000Z"));
    }

    [Fact]
    public void A_very_long_domain_name_gives_a_valid_name_of_at_most_253_characters_ending_in_the_slot()
    {
        var domain = "Very_Long." + new string('a', 300);

        var name = BackupNames.ForRun("nightly", domain, Slot);

        AssertValidName(name);
        Assert.EndsWith("-20261127t020000z", name);
        Assert.StartsWith("nightly-very-long-", name);
    }

    [Fact]
    public void Two_long_domains_that_differ_only_at_the_end_get_different_names()
    {
        var stem = new string('a', 300);

        Assert.NotEqual(BackupNames.ForRun("nightly", stem + "1", Slot), BackupNames.ForRun("nightly", stem + "2", Slot));
    }

    [Theory]
    [InlineData("web_1", "web.1")]
    [InlineData("web_1", "web-1")]
    [InlineData("Web-1", "web-1")]
    [InlineData("WEB_1", "web_1")]
    public void Two_domains_that_clean_to_the_same_text_get_different_names(string one, string other)
    {
        Assert.Equal(BackupNames.Clean(one), BackupNames.Clean(other));

        Assert.NotEqual(BackupNames.ForRun("nightly", one, Slot), BackupNames.ForRun("nightly", other, Slot));
        Assert.NotEqual(BackupNames.ForSyncedPoint("nightly", one, "20261127T020000Z"), BackupNames.ForSyncedPoint("nightly", other, "20261127T020000Z"));
    }

    [Theory]
    [InlineData("web-1")]
    [InlineData("Upper_Case.dots")]
    [InlineData("___")]
    [InlineData("a-very-long-domain-name-that-goes-on-and-on-well-past-sixty-three-characters-of-label")]
    public void The_domain_label_value_is_at_most_63_characters_with_alphanumeric_ends(string domain)
    {
        var label = BackupNames.LabelValue(domain);

        Assert.InRange(label.Length, 1, 63);
        Assert.Matches(LabelValue(), label);
        Assert.Equal(label, BackupNames.LabelValue(domain));
    }

    [Fact]
    public void Long_domains_that_share_their_first_63_characters_get_different_label_values()
    {
        var stem = new string('b', 70);

        Assert.NotEqual(BackupNames.LabelValue(stem + "1"), BackupNames.LabelValue(stem + "2"));
    }
}
