using FiBackup.Engine.Backup;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// Keeps a disk's live chain short by folding fibackup's overlays back, without ever writing the
/// original base unless the user allowed it (invariant 2), nor any image another domain uses
/// (<see cref="OverlayGuard"/>). What to fold is decided by the verb (<see cref="FoldBelowActive"/>
/// after a backup, <see cref="FoldAll"/> for the consolidate command); how, by whether the domain
/// runs (<see cref="RunningFolds"/>, <see cref="OfflineFolds"/>). A shut-off domain on a host whose
/// images cannot be edited offline is left as it is: the next run in which it runs folds it.
/// </summary>
public sealed class LiveChainConsolidator(IVmSource source)
{
    /// <summary>After a backup: folds the overlays below the active image (the active one is left alone).</summary>
    public async Task<ConsolidationOutcome> FoldBelowActiveAsync(IVmDomain domain, string target, string activeImage,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct)
    {
        var plan = FoldBelowActive.Plan(await source.Images.ReadChainAsync(activeImage, ct), method, allowBaseWrite, out var why);
        return await RunAsync(domain, target, plan, why, bandwidth, ct);
    }

    /// <summary>The consolidate command: folds the active image too (see <see cref="FoldAll"/>).</summary>
    public async Task<ConsolidationOutcome> FoldAllAsync(IVmDomain domain, string target, string activeImage,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct)
    {
        var plan = FoldAll.Plan(await source.Images.ReadChainAsync(activeImage, ct), method, allowBaseWrite, out var why);
        return await RunAsync(domain, target, plan, why, bandwidth, ct);
    }

    /// <summary>Deletes one overlay if it is fibackup's and no disk of this or another domain uses it any more.</summary>
    public Task DeleteIfUnusedAsync(IVmDomain domain, string overlay, CancellationToken ct) =>
        new OverlayGuard(source, domain).DeleteIfUnusedAsync(overlay, ct);

    private async Task<ConsolidationOutcome> RunAsync(IVmDomain domain, string target, FoldPlan? plan, string why,
        long bandwidth, CancellationToken ct)
    {
        if (plan is null) return ConsolidationOutcome.Nothing(target, why);
        var running = domain.IsRunning;
        if (!running && !source.Images.CanEditOffline) return ConsolidationOutcome.DeferredUntilRunning(target);
        var guard = new OverlayGuard(source, domain);
        if (await guard.WhyNotWritableAsync(plan.Touched, ct) is { } refused)
            return ConsolidationOutcome.RefusedBecause(target, refused);

        IChainFolds folds = running ? new RunningFolds(domain, bandwidth) : new OfflineFolds(domain, source.Images);
        switch (plan.Kind)
        {
            case FoldKind.CommitBelowActive:
                await folds.CommitBelowActiveAsync(target, plan.ActiveImage, plan.Top, plan.Into, plan.IntoFormat, ct);
                break;
            case FoldKind.Pull:
                await folds.PullAsync(target, plan.ActiveImage, plan.Into, plan.IntoFormat, ct);
                break;
            case FoldKind.CommitActive:
                await folds.CommitActiveAsync(target, plan.ActiveImage, plan.Into, plan.IntoFormat, ct);
                break;
        }

        // Only fibackup's overlays, and only once no disk of this or another domain uses them.
        var deleted = new List<string>();
        foreach (var file in plan.Folded)
        {
            if (await guard.DeleteIfUnusedAsync(file, ct) is null) deleted.Add(file);
        }
        return new ConsolidationOutcome(target, plan.Summary, deleted);
    }
}
