using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// A block job on a disk that fibackup did not start (a user's blockcopy, blockcommit, blockpull).
/// It is not fibackup's to wait on or pivot: a blockcopy mirrors until someone ends it, so waiting
/// would hang, and pivoting would move the domain onto the user's image. The operation refuses
/// before it changes anything.
/// </summary>
public static class ForeignBlockJob
{
    /// <summary>DomainBusy (retryable: the same run succeeds once the job ends), naming the domain, the disk and the job.</summary>
    public static FibackupException Refusal(string domain, string target, DiskJobKind job, string operation) =>
        new(ErrorReason.DomainBusy,
            $"domain {domain} is busy: disk {target} has a running {Describe(job)} job that fibackup did not start; "
            + $"end it (`virsh blockjob {domain} {target} --abort`, or --pivot) and run the {operation} again",
            EngineField.Domain);

    public static string Describe(DiskJobKind job) => job switch
    {
        DiskJobKind.Pull => "block pull",
        DiskJobKind.Copy => "block copy",
        DiskJobKind.Commit => "block commit",
        DiskJobKind.ActiveCommit => "active block commit",
        DiskJobKind.Backup => "backup",
        _ => "block",
    };
}
