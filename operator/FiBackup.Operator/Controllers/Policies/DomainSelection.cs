using System.Text.RegularExpressions;
using FiBackup.Operator.Api.V1Alpha1;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// Which domains of a source a policy backs up: the named ones, those matching a glob pattern, or
/// all, minus those matching an exclude pattern. Names listed that the source does not have are
/// reported, not silently dropped: the policy says so in its Ready condition.
/// </summary>
public static class DomainSelection
{
    public static SelectedDomains Select(DomainSelector selector, IReadOnlyCollection<string> onSource)
    {
        var selected = new SortedSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var name in selector.Names ?? [])
        {
            if (onSource.Contains(name)) selected.Add(name);
            else missing.Add(name);
        }
        var patterns = (selector.Patterns ?? []).Select(Glob).ToList();
        foreach (var name in onSource)
        {
            if (selector.All || patterns.Any(p => p.IsMatch(name))) selected.Add(name);
        }
        var excludes = (selector.Exclude ?? []).Select(Glob).ToList();
        selected.RemoveWhere(name => excludes.Any(p => p.IsMatch(name)));
        return new SelectedDomains(selected.ToList(), missing);
    }

    /// <summary>A shell glob: * any run of characters, ? one character, everything else literal.</summary>
    public static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
}

/// <summary>The domains to back up, in name order, and the names the selector listed that the source lacks.</summary>
public sealed record SelectedDomains(IReadOnlyList<string> Domains, IReadOnlyList<string> MissingNames);
