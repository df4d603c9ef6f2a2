using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// The folds of a shut-off domain, on its image files through the host's images
/// (<see cref="IHostImages.CanEditOffline"/> must hold), then the definition pointed where needed.
/// </summary>
internal sealed class OfflineFolds(IVmDomain domain, IHostImages images) : IChainFolds
{
    public async Task CommitBelowActiveAsync(string target, string activeImage, string top, string into, string intoFormat, CancellationToken ct)
    {
        // First make `into` hold everything down to it, then point the active image at it (header only).
        await images.CommitOfflineAsync(top, into, ct);
        await images.RebaseOfflineAsync(activeImage, into, intoFormat, safe: false, ct);
    }

    // Safe rebase copies into the active image every cluster the removed overlays provided.
    public Task PullAsync(string target, string activeImage, string baseImage, string baseFormat, CancellationToken ct) =>
        images.RebaseOfflineAsync(activeImage, baseImage, baseFormat, safe: true, ct);

    public async Task CommitActiveAsync(string target, string activeImage, string into, string intoFormat, CancellationToken ct)
    {
        await images.CommitOfflineAsync(activeImage, into, ct);
        // `into` keeps its own format (a raw base stays raw).
        domain.RedefineDiskSource(target, into, intoFormat);
    }
}
