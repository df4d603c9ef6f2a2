using FiBackup.Engine.Backup;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// Keeps a disk's live chain short by folding fibackup's overlays back, without ever writing
/// the original base unless the user allowed it (invariant 2):
/// <list type="bullet">
/// <item>Commit: the copied overlays are committed down into the lowest fibackup overlay (which
/// becomes the accumulator), or into the base with AllowBaseWrite. The chain stays at
/// active → accumulator → base.</item>
/// <item>Pull: their data is pulled up into the active image, which then backs on the base.
/// Never writes the base; the next incremental then carries the pulled data again.</item>
/// </list>
/// A running domain uses libvirt block jobs; a shut-off one the same operations with qemu-img
/// (which takes the image locks, so a domain started meanwhile fails to start rather than corrupt).
/// Each step keeps the guest's view of the disk identical, so a crash between steps is harmless.
/// </summary>
public sealed class LiveChainConsolidator
{
    /// <summary>After a backup: folds the overlays below the active image (the active one is left alone).</summary>
    public async Task<ConsolidationOutcome> FoldBelowActiveAsync(IVmDomain domain, string target, string activeImage,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct)
    {
        var chain = await LiveChain.ReadAsync(activeImage, ct);
        var ours = OursBelowActive(chain);
        var below = chain.Count > ours.Count + 1 ? chain[ours.Count + 1].Path : null;
        switch (method)
        {
            case ConsolidationMethod.None:
                return ConsolidationOutcome.Nothing(target, "consolidation disabled");
            case ConsolidationMethod.Commit when allowBaseWrite && ours.Count >= 1 && below is not null:
                await CommitIntermediateAsync(domain, target, activeImage, ours[0], below, bandwidth, ct);
                return await DeleteFoldedAsync(domain, target, ours, $"committed {ours.Count} overlay(s) into base {below}", ct);
            case ConsolidationMethod.Commit when ours.Count >= 2:
                await CommitIntermediateAsync(domain, target, activeImage, ours[0], ours[^1], bandwidth, ct);
                return await DeleteFoldedAsync(domain, target, ours[..^1], $"committed {ours.Count - 1} overlay(s) into {ours[^1]}", ct);
            case ConsolidationMethod.Commit:
                return ConsolidationOutcome.Nothing(target, "chain already short (active → accumulator → base)");
            case ConsolidationMethod.Pull when ours.Count >= 1 && below is not null:
                await PullAsync(domain, target, activeImage, below, bandwidth, ct);
                return await DeleteFoldedAsync(domain, target, ours, $"pulled {ours.Count} overlay(s) into {activeImage}", ct);
            default:
                return ConsolidationOutcome.Nothing(target, "nothing to fold");
        }
    }

    /// <summary>
    /// The consolidate command: folds the active image too. Commit folds everything fibackup added
    /// into the lowest writable image and moves the domain onto it (active commit + pivot); Pull
    /// pulls everything fibackup added into the active image.
    /// </summary>
    public async Task<ConsolidationOutcome> FoldAllAsync(IVmDomain domain, string target, string activeImage,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct)
    {
        if (method != ConsolidationMethod.Commit)
            return await FoldBelowActiveAsync(domain, target, activeImage, method, allowBaseWrite, bandwidth, ct);

        var chain = await LiveChain.ReadAsync(activeImage, ct);
        var ours = OursBelowActive(chain);
        if (!OverlayName.IsOverlay(activeImage))
            return ConsolidationOutcome.Nothing(target, $"active image {activeImage} was not made by fibackup; left alone");
        var baseImage = chain.Count > ours.Count + 1 ? chain[ours.Count + 1].Path : null;
        string into;
        List<string> folded;
        if (allowBaseWrite && baseImage is not null)
        {
            into = baseImage;
            folded = [activeImage, .. ours];
        }
        else if (ours.Count >= 1)
        {
            into = ours[^1];
            folded = [activeImage, .. ours[..^1]];
        }
        else
        {
            return ConsolidationOutcome.Nothing(target,
                "only one fibackup overlay above the base; folding it needs permission to write the base image (it writes into the base image)");
        }

        if (domain.IsRunning)
        {
            await domain.ActiveCommitAsync(target, into, bandwidth, ct);
        }
        else
        {
            await QemuImg.CommitAsync(activeImage, ct, baseImage: into);
            // `into` keeps its own format (a raw base stays raw), as the chain read before the commit says.
            domain.RedefineDiskSource(target, into, chain.First(image => image.Path == into).Format);
        }
        return await DeleteFoldedAsync(domain, target, folded, $"committed {folded.Count} overlay(s) into {into}; the domain now runs on it", ct);
    }

    /// <summary>The fibackup overlays directly below the active image, top first.</summary>
    private static List<string> OursBelowActive(IReadOnlyList<ChainImage> chain) =>
        chain.Skip(1).TakeWhile(image => OverlayName.IsOverlay(image.Path)).Select(image => image.Path).ToList();

    private static async Task CommitIntermediateAsync(IVmDomain domain, string target, string activeImage,
        string top, string into, long bandwidth, CancellationToken ct)
    {
        if (domain.IsRunning)
        {
            await domain.CommitAsync(target, top, into, bandwidth, ct);
            return;
        }
        // Offline: first make `into` hold everything down to it, then point the active image at it.
        await QemuImg.CommitAsync(top, ct, baseImage: into);
        await QemuImg.RebaseAsync(activeImage, into, ct, unsafeHeaderOnly: true, backingFormat: await FormatOfAsync(into, ct));
    }

    private static async Task PullAsync(IVmDomain domain, string target, string activeImage, string baseImage,
        long bandwidth, CancellationToken ct)
    {
        if (domain.IsRunning)
        {
            await domain.PullAsync(target, baseImage, bandwidth, ct);
            return;
        }
        // Safe rebase copies into the active image every cluster the removed overlays provided.
        await QemuImg.RebaseAsync(activeImage, baseImage, ct, unsafeHeaderOnly: false, backingFormat: await FormatOfAsync(baseImage, ct));
    }

    private static async Task<string> FormatOfAsync(string image, CancellationToken ct) => (await QemuImg.InfoAsync(image, ct)).Format;

    /// <summary>Deletes one overlay if it is fibackup's and no disk of the domain uses it any more.</summary>
    public async Task DeleteIfUnusedAsync(IVmDomain domain, string overlay, CancellationToken ct)
    {
        if (OverlayName.IsOverlay(overlay) && File.Exists(overlay) && !(await ImagesInUseAsync(domain, ct)).Contains(overlay))
            File.Delete(overlay);
    }

    private static async Task<HashSet<string>> ImagesInUseAsync(IVmDomain domain, CancellationToken ct)
    {
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var disk in domain.ReadDisks().Where(d => d.ActivePath is not null && d.Device == "disk" && d.SourceType is "file" or "block"))
            foreach (var image in await LiveChain.ReadAsync(disk.ActivePath!, ct))
                inUse.Add(image.Path);
        return inUse;
    }

    /// <summary>
    /// Deletes folded overlays — only fibackup's, and only once no disk of the domain uses them.
    /// </summary>
    private static async Task<ConsolidationOutcome> DeleteFoldedAsync(IVmDomain domain, string target,
        IReadOnlyList<string> folded, string summary, CancellationToken ct)
    {
        var inUse = await ImagesInUseAsync(domain, ct);
        var deleted = new List<string>();
        foreach (var file in folded)
        {
            if (!OverlayName.IsOverlay(file) || inUse.Contains(file) || !File.Exists(file)) continue;
            File.Delete(file);
            deleted.Add(file);
        }
        return new ConsolidationOutcome(target, summary, deleted);
    }
}
