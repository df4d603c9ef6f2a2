using FiBackup.Operator.Api.V1Alpha1;

namespace FiBackup.Operator.Controllers.Backups;

public static class VmBackupExtensions
{
    /// <summary>Made for a restore point found in a repository: never run, its status comes from the manifest.</summary>
    public static bool IsSynced(this VmBackup backup) =>
        backup.Metadata.Annotations?.ContainsKey(VmBackup.SyncedAnnotation) == true;

    public static bool IsFinished(this VmBackup backup) =>
        backup.Status?.Phase is OperationPhase.Succeeded or OperationPhase.Failed;
}
