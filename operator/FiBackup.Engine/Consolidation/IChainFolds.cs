namespace FiBackup.Engine.Consolidation;

/// <summary>
/// The three ways a disk's chain is folded, each keeping the guest's view of the disk identical
/// (so a crash between steps is harmless): done with block jobs on a running domain
/// (<see cref="RunningFolds"/>), on the image files of a shut-off one (<see cref="OfflineFolds"/>).
/// </summary>
internal interface IChainFolds
{
    /// <summary>Folds <paramref name="top"/> and what lies between into <paramref name="into"/>; the active image then backs on <paramref name="into"/>.</summary>
    Task CommitBelowActiveAsync(string target, string activeImage, string top, string into, string intoFormat, CancellationToken ct);

    /// <summary>Copies into the active image what every image above <paramref name="baseImage"/> provides; it then backs on <paramref name="baseImage"/>.</summary>
    Task PullAsync(string target, string activeImage, string baseImage, string baseFormat, CancellationToken ct);

    /// <summary>Folds the active image and everything above <paramref name="into"/> into it, and moves the domain onto it.</summary>
    Task CommitActiveAsync(string target, string activeImage, string into, string intoFormat, CancellationToken ct);
}
