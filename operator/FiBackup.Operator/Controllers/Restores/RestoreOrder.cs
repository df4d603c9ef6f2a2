using FiBackup.Engine.Restore;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;

namespace FiBackup.Operator.Controllers.Restores;

/// <summary>
/// What one VmRestore asks of the engine, from its spec and its VmBackup's status; the same in the
/// operator and in a Job's mover (`fibackup mover restore`).
/// </summary>
public sealed record RestoreOrder(RestoreRequest Request, RepositoryLocation Location, string Point, SourceConnection? Host)
{
    /// <summary>The engine's logical fields in a VmRestore's words.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["newName"] = "spec.target.domain",
        ["inPlace"] = "spec.target.inPlace",
        ["targetDirectory"] = "spec.target.directory",
        ["disks"] = "spec.disks",
        ["start"] = "spec.target.start",
        ["point"] = "spec.backupRef.name",
        ["domain"] = "spec.target.domain",
    };

    /// <summary>The plan for a Succeeded backup (the caller checked); throws an OperatorProblem when its claim is not mounted.</summary>
    public static RestoreOrder For(VmRestore restore, VmBackup backup, ClaimDirectories claims)
    {
        var location = backup.Status!.Repository!;
        var point = backup.Status.RestorePoint!;
        var root = claims.Repository(restore.Namespace, location.ClaimName, location.SubPath, $"VmBackup {backup.Name}: status.repository.claimName");
        var target = restore.Spec.Target;
        var request = new RestoreRequest
        {
            RepositoryRoot = root,
            Domain = location.Domain,
            Host = location.Host,
            Point = point,
            TargetDirectory = target.Directory,
            NewName = string.IsNullOrEmpty(target.Domain) || target.Domain == location.Domain ? null : target.Domain,
            Force = target.InPlace,
            Start = target.Start,
            Disks = restore.Spec.Disks is { Count: > 0 } disks ? disks : null,
        };
        // The host the backup came from, logged in to as the backup was.
        var host = location.LibvirtUri is { } uri
            ? SourceConnection.To(uri, location.CredentialsSecretRef, restore.Namespace, $"VmBackup {backup.Name}: status.repository.credentialsSecretRef.name")
            : null;
        return new RestoreOrder(request, location, point, host);
    }

    /// <summary>Puts what a finished restore did into the status; returns the sentence for the conditions.</summary>
    public static string Record(VmRestoreStatus status, RestoreResult result)
    {
        status.Domain = result.Defined ? result.Domain : null;
        status.Disks = result.Disks.Select(d => new RestoredDiskStatus { Target = d.Target, File = d.Image }).ToList();
        return result.Defined
            ? $"domain {result.Domain} restored from point {result.PointId}{(result.Started ? " and started" : "")}"
            : $"images of point {result.PointId} restored";
    }
}
