using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Prune;

/// <summary>
/// How many restore points to keep, with restic/borg semantics: the newest <see cref="KeepLast"/>
/// points, plus the newest point of each of the <see cref="KeepDaily"/> most recent days that have
/// points, and likewise for ISO weeks and calendar months. A point kept by any rule stays.
/// </summary>
public sealed record RetentionPolicy(int KeepLast, int KeepDaily, int KeepWeekly, int KeepMonthly)
{
    /// <summary>
    /// Refuses negative counts and a policy that keeps nothing. <paramref name="fieldName"/> maps a
    /// rule ("keep-last", ...) to the name the user typed; by default the CLI options (--keep-last).
    /// </summary>
    public void Validate(Func<string, string>? fieldName = null)
    {
        fieldName ??= rule => "--" + rule;
        foreach (var (rule, count) in Rules)
        {
            if (count < 0)
                throw new InvalidInputException($"{fieldName(rule)}: {count} is negative; give a count of 0 or more", fieldName(rule));
        }
        if (Rules.All(r => r.Count == 0))
            throw new InvalidInputException(
                $"at least one --keep-* option is needed (all of {string.Join(", ", Rules.Select(r => fieldName(r.Rule)))} are 0): pruning would drop every restore point",
                fieldName("keep-last"));
    }

    public IEnumerable<(string Rule, int Count)> Rules =>
        [("keep-last", KeepLast), ("keep-daily", KeepDaily), ("keep-weekly", KeepWeekly), ("keep-monthly", KeepMonthly)];

    public override string ToString() =>
        string.Join(", ", Rules.Where(r => r.Count > 0).Select(r => $"{r.Rule} {r.Count}"));
}
