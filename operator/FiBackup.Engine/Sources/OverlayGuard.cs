using FiBackup.Engine.Backup;

namespace FiBackup.Engine.Sources;

/// <summary>
/// The one place that decides whether fibackup may write into or delete a host image. An overlay
/// is fibackup's by its name (<see cref="OverlayName"/>), but another domain may have been made on
/// top of it (a clone whose disk backs on it): then folding into it changes that domain's disk and
/// deleting it breaks that domain's chain. So the answer is read fresh from every defined domain's
/// chains (<see cref="IVmSource.ReadImagesInUseAsync"/>) right before each write or delete.
/// </summary>
public sealed class OverlayGuard(IVmSource source, IVmDomain domain)
{
    /// <summary>The first reason any of <paramref name="images"/> must not be written into or deleted, or null.</summary>
    public async Task<string?> WhyNotWritableAsync(IEnumerable<string> images, CancellationToken ct)
    {
        var inUse = await source.ReadImagesInUseAsync(ct);
        foreach (var image in images)
        {
            if (OtherUser(inUse, image) is { } other)
                return $"{image} is used by domain {other} (its disk backs on it), so fibackup neither writes into nor deletes it";
        }
        return null;
    }

    /// <summary>
    /// Deletes <paramref name="overlay"/> when it is fibackup's by name, exists, and no disk of this
    /// or any other domain uses it. Returns null when deleted, otherwise why not (absent included).
    /// </summary>
    public async Task<string?> DeleteIfUnusedAsync(string overlay, CancellationToken ct)
    {
        if (!OverlayName.IsOverlay(overlay)) return $"{overlay} was not made by fibackup";
        if (!await source.Images.ExistsAsync(overlay, ct)) return $"{overlay} does not exist";
        var inUse = await source.ReadImagesInUseAsync(ct);
        if (inUse.FirstOrDefault(d => d.Domain == domain.Name)?.Images.Contains(overlay) == true)
            return $"{overlay} is still used by domain {domain.Name}";
        if (OtherUser(inUse, overlay) is { } other)
            return $"{overlay} is used by domain {other} (its disk backs on it), so fibackup does not delete it";
        await source.Images.DeleteOverlayAsync(overlay, ct);
        return null;
    }

    private string? OtherUser(IReadOnlyList<DomainImages> inUse, string image) =>
        inUse.FirstOrDefault(d => d.Domain != domain.Name && d.Images.Contains(image))?.Domain;
}
