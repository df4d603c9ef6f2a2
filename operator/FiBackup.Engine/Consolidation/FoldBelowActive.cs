using FiBackup.Engine.Backup;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// After a backup: folds the overlays below the active image, leaving the active one alone.
/// Commit folds the copied overlays into the lowest fibackup overlay (the accumulator), or into
/// the base with AllowBaseWrite, so the chain stays at active → accumulator → base. Pull pulls
/// their data up into the active image, which then backs on the base (never writes the base).
/// </summary>
internal static class FoldBelowActive
{
    /// <summary>The fold to do, or null with <paramref name="why"/> nothing is folded.</summary>
    public static FoldPlan? Plan(IReadOnlyList<ChainImage> chain, ConsolidationMethod method, bool allowBaseWrite, out string why)
    {
        var active = chain[0].Path;
        var ours = FoldPlan.OursBelowActive(chain);
        var below = chain.Count > ours.Count + 1 ? chain[ours.Count + 1].Path : null;
        why = "nothing to fold";
        switch (method)
        {
            case ConsolidationMethod.None:
                why = "consolidation disabled";
                return null;
            case ConsolidationMethod.Commit when allowBaseWrite && ours.Count >= 1 && below is not null:
                return new FoldPlan(FoldKind.CommitBelowActive, active, ours[0], below, FoldPlan.FormatOf(chain, below), ours,
                    $"committed {ours.Count} overlay(s) into base {below}");
            case ConsolidationMethod.Commit when ours.Count >= 2:
                return new FoldPlan(FoldKind.CommitBelowActive, active, ours[0], ours[^1], FoldPlan.FormatOf(chain, ours[^1]), ours[..^1],
                    $"committed {ours.Count - 1} overlay(s) into {ours[^1]}");
            case ConsolidationMethod.Commit:
                why = "chain already short (active → accumulator → base)";
                return null;
            case ConsolidationMethod.Pull when ours.Count >= 1 && below is not null:
                return new FoldPlan(FoldKind.Pull, active, ours[0], below, FoldPlan.FormatOf(chain, below), ours,
                    $"pulled {ours.Count} overlay(s) into {active}");
            default:
                return null;
        }
    }
}
