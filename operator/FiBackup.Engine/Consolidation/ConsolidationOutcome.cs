namespace FiBackup.Engine.Consolidation;

/// <summary>
/// What folding one disk's live chain did, in words a user can read in a log or status.
/// <paramref name="Deferred"/>: nothing was folded now, but a later run in which the domain runs will.
/// <paramref name="Refused"/>: nothing was folded because an image it would touch is another domain's too.
/// </summary>
public sealed record ConsolidationOutcome(string Target, string Summary, IReadOnlyList<string> DeletedOverlays, bool Deferred = false, bool Refused = false)
{
    public static ConsolidationOutcome Nothing(string target, string why) => new(target, why, []);

    public static ConsolidationOutcome RefusedBecause(string target, string why) => new(target, $"not consolidated: {why}", [], Refused: true);

    /// <summary>A shut-off domain on a host whose images cannot be edited offline: the chain stays as it is, valid.</summary>
    public static ConsolidationOutcome DeferredUntilRunning(string target) => new(target,
        "consolidation deferred to the next run in which the domain runs (this host's images cannot be edited while the domain is shut off); the chain is valid as it is",
        [], Deferred: true);
}
