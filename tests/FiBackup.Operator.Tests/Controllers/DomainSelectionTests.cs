using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Policies;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class DomainSelectionTests
{
    private static readonly string[] OnSource = ["web-2", "db-1", "web-1", "db-10", "scratch-a", "mail"];

    [Fact]
    public void Names_select_exactly_those_domains()
    {
        var selected = DomainSelection.Select(new DomainSelector { Names = ["web-1", "mail"] }, OnSource);

        Assert.Equal(["mail", "web-1"], selected.Domains);
        Assert.Empty(selected.MissingNames);
    }

    [Fact]
    public void A_star_pattern_matches_any_run_of_characters()
    {
        var selected = DomainSelection.Select(new DomainSelector { Patterns = ["db-*"] }, OnSource);

        Assert.Equal(["db-1", "db-10"], selected.Domains);
    }

    [Fact]
    public void A_question_mark_pattern_matches_exactly_one_character()
    {
        var selected = DomainSelection.Select(new DomainSelector { Patterns = ["db-?"] }, OnSource);

        Assert.Equal(["db-1"], selected.Domains);
    }

    [Fact]
    public void All_selects_every_domain_of_the_source()
    {
        var selected = DomainSelection.Select(new DomainSelector { All = true }, OnSource);

        Assert.Equal(OnSource.Order(StringComparer.Ordinal), selected.Domains);
    }

    [Fact]
    public void Exclude_wins_over_names_patterns_and_all()
    {
        Assert.DoesNotContain("web-1", DomainSelection.Select(new DomainSelector { Names = ["web-1", "mail"], Exclude = ["web-1"] }, OnSource).Domains);
        Assert.Equal(["db-10"], DomainSelection.Select(new DomainSelector { Patterns = ["db-*"], Exclude = ["db-?"] }, OnSource).Domains);
        Assert.Equal(["db-1", "db-10", "mail"],
            DomainSelection.Select(new DomainSelector { All = true, Exclude = ["web-*", "scratch-*"] }, OnSource).Domains);
    }

    [Fact]
    public void Names_the_source_lacks_are_reported_and_the_others_still_selected()
    {
        var selected = DomainSelection.Select(new DomainSelector { Names = ["web-1", "gone", "also-gone"] }, OnSource);

        Assert.Equal(["web-1"], selected.Domains);
        Assert.Equal(["gone", "also-gone"], selected.MissingNames);
    }

    [Fact]
    public void The_selection_is_in_ordinal_name_order_whatever_the_source_order()
    {
        var selected = DomainSelection.Select(new DomainSelector { Names = ["web-2", "b"], Patterns = ["db-*"] }, ["web-2", "db-10", "b", "db-1", "B"]);

        Assert.Equal(["b", "db-1", "db-10", "web-2"], selected.Domains);
    }

    [Fact]
    public void Regex_metacharacters_in_patterns_are_literal()
    {
        string[] onSource = ["web.1", "webx1", "db[1]", "db1", "a+b", "aab", "(x)|y", "y"];

        Assert.Equal(["web.1"], DomainSelection.Select(new DomainSelector { Patterns = ["web.1"] }, onSource).Domains);
        Assert.Equal(["db[1]"], DomainSelection.Select(new DomainSelector { Patterns = ["db[1]"] }, onSource).Domains);
        Assert.Equal(["a+b"], DomainSelection.Select(new DomainSelector { Patterns = ["a+b"] }, onSource).Domains);
        Assert.Equal(["(x)|y"], DomainSelection.Select(new DomainSelector { Patterns = ["(x)|y"] }, onSource).Domains);
        Assert.Equal(["aab", "webx1", "y"], DomainSelection.Select(new DomainSelector { All = true, Exclude = ["*.*", "*[*", "*+*", "*|*", "db1"] }, onSource).Domains);
    }

    [Fact]
    public void A_pattern_must_match_the_whole_name()
    {
        var selected = DomainSelection.Select(new DomainSelector { Patterns = ["web"] }, ["web", "web-1", "my-web"]);

        Assert.Equal(["web"], selected.Domains);
    }
}
