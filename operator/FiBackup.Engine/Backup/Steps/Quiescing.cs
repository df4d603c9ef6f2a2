using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>What a guest that cannot be quiesced means for a backup, the same for both techniques.</summary>
public static class Quiescing
{
    /// <summary>Preferred: the point is taken crash-consistent, and the run says so.</summary>
    public static string CrashConsistentWarning(QuiesceFailedException e) =>
        $"could not quiesce the guest ({e.Message}); the backup is crash-consistent";

    /// <summary>Required: the run fails before anything changed.</summary>
    public static FibackupException RequiredFailed(QuiesceFailedException e) =>
        new(ErrorReason.QuiesceFailed,
            $"quiesce is required but the guest could not be quiesced: {e.Message}; nothing was changed (install and start qemu-guest-agent in the guest, or make quiescing preferred)",
            EngineField.Quiesce, e);
}
