namespace FiBackup.Engine.Sources;

/// <summary>The dirty-bitmap technique: libvirt's backup API and checkpoints (DESIGN §1, issue 10).</summary>
public partial interface IVmDomain
{
    /// <summary>
    /// Starts a push backup of the listed disks, each into a new qcow2 file, and creates the
    /// checkpoint <paramref name="checkpoint"/> at the same instant (its bitmaps then track exactly
    /// the writes after the backed-up state). With <paramref name="incrementalFrom"/> only what was
    /// written since that checkpoint is copied. Throws <see cref="BitmapUnusableException"/> when
    /// libvirt refuses the incremental because that checkpoint or its bitmaps are missing or broken.
    /// </summary>
    void BeginBackup(IReadOnlyList<BackupTarget> targets, string checkpoint, string? incrementalFrom);

    /// <summary>Waits until the running backup job ends; throws when it failed or was cancelled. Reports bytes done/total.</summary>
    Task WaitForBackupAsync(IProgress<(long Done, long Total)>? progress, CancellationToken ct);

    /// <summary>The files the backup job running now writes, or null when none runs.</summary>
    IReadOnlyList<string>? RunningBackupTargets();

    /// <summary>Aborts the running backup job and waits until it is gone.</summary>
    Task AbortBackupAsync(CancellationToken ct);

    /// <summary>
    /// Freezes the guest's file systems through the QEMU guest agent, for the instant a backup job
    /// starts. Throws <see cref="QuiesceFailedException"/> when the guest cannot be quiesced (no agent
    /// channel, no agent answering, the guest refusing); nothing is frozen then.
    /// </summary>
    void FreezeFilesystems();

    /// <summary>Thaws what <see cref="FreezeFilesystems"/> froze.</summary>
    void ThawFilesystems();

    /// <summary>The names of the domain's checkpoints.</summary>
    IReadOnlyList<string> CheckpointNames();

    /// <summary>Deletes a checkpoint (libvirt merges its bitmaps into its parent's); false when there was none of that name.</summary>
    bool DeleteCheckpoint(string name);
}
