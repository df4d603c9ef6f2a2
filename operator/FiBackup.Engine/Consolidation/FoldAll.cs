using FiBackup.Engine.Backup;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// The consolidate command with Commit: folds the active image too, everything fibackup added, into
/// the lowest writable image (the accumulator, or the base with AllowBaseWrite), and moves the
/// domain onto it. Other methods fold as after a backup (<see cref="FoldBelowActive"/>).
/// </summary>
internal static class FoldAll
{
    /// <summary>The fold to do, or null with <paramref name="why"/> nothing is folded.</summary>
    public static FoldPlan? Plan(IReadOnlyList<ChainImage> chain, ConsolidationMethod method, bool allowBaseWrite, out string why)
    {
        if (method != ConsolidationMethod.Commit) return FoldBelowActive.Plan(chain, method, allowBaseWrite, out why);
        var active = chain[0].Path;
        why = "";
        if (!OverlayName.IsOverlay(active))
        {
            why = $"active image {active} was not made by fibackup; left alone";
            return null;
        }
        var ours = FoldPlan.OursBelowActive(chain);
        var baseImage = chain.Count > ours.Count + 1 ? chain[ours.Count + 1].Path : null;
        if (allowBaseWrite && baseImage is not null)
            return Into(chain, baseImage, [active, .. ours]);
        if (ours.Count >= 1)
            return Into(chain, ours[^1], [active, .. ours[..^1]]);
        why = "only one fibackup overlay above the base; folding it needs permission to write the base image (it writes into the base image)";
        return null;
    }

    private static FoldPlan Into(IReadOnlyList<ChainImage> chain, string into, List<string> folded) =>
        new(FoldKind.CommitActive, chain[0].Path, chain[0].Path, into, FoldPlan.FormatOf(chain, into), folded,
            $"committed {folded.Count} overlay(s) into {into}; the domain now runs on it");
}
