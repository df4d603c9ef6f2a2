using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Prune;

/// <summary>
/// How many restore points to keep, with restic/borg semantics: the newest <see cref="KeepLast"/>
/// points, plus the newest point of each of the <see cref="KeepDaily"/> most recent days that have
/// points, and likewise for ISO weeks and calendar months. A point kept by any rule stays, and the
/// newest point always stays (the next incremental builds on it).
/// </summary>
public sealed record RetentionPolicy(int KeepLast, int KeepDaily, int KeepWeekly, int KeepMonthly)
{
    /// <summary>
    /// Refuses negative counts and a policy that keeps nothing. Rules are named by their logical
    /// field (<see cref="EngineField.KeepLast"/>, ...); <paramref name="fieldName"/> maps one to the
    /// name the user typed (the CLI: --keep-last; the operator: spec.retention.keepLast) for
    /// <see cref="FibackupException.Field"/> and for the rules listed in the message.
    /// </summary>
    public void Validate(Func<string, string>? fieldName = null)
    {
        fieldName ??= rule => rule;
        foreach (var (rule, count) in Rules)
        {
            if (count < 0)
                throw new InvalidInputException($"the count {count} is negative; give a count of 0 or more", fieldName(rule));
        }
        if (Rules.All(r => r.Count == 0))
            throw new InvalidInputException(
                $"at least one keep rule must be above 0 (all of {string.Join(", ", Rules.Select(r => fieldName(r.Rule)))} are 0): pruning would drop every restore point",
                fieldName(EngineField.KeepLast));
    }

    public IEnumerable<(string Rule, int Count)> Rules =>
    [
        (EngineField.KeepLast, KeepLast), (EngineField.KeepDaily, KeepDaily),
        (EngineField.KeepWeekly, KeepWeekly), (EngineField.KeepMonthly, KeepMonthly),
    ];

    /// <summary>"keep-last 7, keep-daily 14": the words the prune journal and the CLI print.</summary>
    public override string ToString() =>
        string.Join(", ", Rules.Where(r => r.Count > 0).Select(r => $"{Words(r.Rule)} {r.Count}"));

    private static string Words(string rule) => rule switch
    {
        EngineField.KeepLast => "keep-last",
        EngineField.KeepDaily => "keep-daily",
        EngineField.KeepWeekly => "keep-weekly",
        _ => "keep-monthly",
    };
}
