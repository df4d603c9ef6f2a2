using FiBackup.Engine.Backup;

namespace FiBackup.Engine.Consolidation;

internal enum FoldKind { CommitBelowActive, Pull, CommitActive }

/// <summary>
/// One fold decided from a disk's chain, before anything is touched: what is folded
/// (<paramref name="Top"/> down to, or up from, <paramref name="Into"/>), which overlays it makes
/// unused (<paramref name="Folded"/>), and what to tell the user.
/// </summary>
internal sealed record FoldPlan(FoldKind Kind, string ActiveImage, string Top, string Into, string IntoFormat,
    IReadOnlyList<string> Folded, string Summary)
{
    /// <summary>Every image the fold writes into or removes: another domain must use none of them.</summary>
    public IEnumerable<string> Touched => Kind == FoldKind.Pull ? Folded : [Into, .. Folded];

    /// <summary>The fibackup overlays directly below the active image, top first.</summary>
    public static List<string> OursBelowActive(IReadOnlyList<ChainImage> chain) =>
        chain.Skip(1).TakeWhile(image => OverlayName.IsOverlay(image.Path)).Select(image => image.Path).ToList();

    public static string FormatOf(IReadOnlyList<ChainImage> chain, string image) => chain.First(c => c.Path == image).Format;
}
