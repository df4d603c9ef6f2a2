namespace FiBackup.Engine.Consolidation;

/// <summary>What folding one disk's live chain did, in words a user can read in a log or status.</summary>
public sealed record ConsolidationOutcome(string Target, string Summary, IReadOnlyList<string> DeletedOverlays)
{
    public static ConsolidationOutcome Nothing(string target, string why) => new(target, why, []);
}
