using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using FiBackup.Operator.Api.Schema;
using k8s.Models;

namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>
/// One backup run of one domain: made by a policy on schedule, by hand, or synced back from a
/// repository. Once Succeeded it stands for one restore point; deleting it drops that point.
/// </summary>
[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = Plural)]
[ShortNames("vmb"), Categories(ApiGroup.Category)]
[Description("One backup of one domain; when Succeeded, one restore point in the repository.")]
[PrinterColumn(1, "Domain", "string", ".spec.domain")]
[PrinterColumn(2, "Type", "string", ".status.type")]
[PrinterColumn(3, "Phase", "string", ".status.phase")]
[PrinterColumn(4, "Step", "string", ".status.step")]
[PrinterColumn(5, "Progress", "string", ".status.progress.percentText", Description = "Share of the bytes to copy that are copied.")]
[PrinterColumn(6, "Size", "string", ".status.size", Description = "Data bytes this restore point added to the repository.")]
[PrinterColumn(7, "Point", "string", ".status.restorePoint")]
[PrinterColumn(8, "Age", "date", ".metadata.creationTimestamp")]
[PrinterColumn(9, "Chain", "string", ".status.chain", Priority = 1)]
[PrinterColumn(10, "Policy", "string", ".spec.policyRef.name", Priority = 1)]
[PrinterColumn(11, "Technique", "string", ".status.technique", Priority = 1)]
public sealed class VmBackup : CustomResource<VmBackupSpec, VmBackupStatus>
{
    public const string KindName = "VmBackup";
    public const string Plural = "vmbackups";

    /// <summary>Label with the policy that made the backup, for `kubectl get vmb -l fibackup.io/policy=nightly`.</summary>
    public const string PolicyLabel = "fibackup.io/policy";
    /// <summary>Label with the domain name (sanitised to a label value).</summary>
    public const string DomainLabel = "fibackup.io/domain";
    /// <summary>Set on VmBackups the operator made for restore points it found in a repository.</summary>
    public const string SyncedAnnotation = "fibackup.io/synced-from-repository";
    /// <summary>Removes the restore point from the repository before the object goes.</summary>
    public const string Finalizer = "fibackup.io/restore-point";

    public VmBackup() => Kind = KindName;
}

public sealed record VmBackupSpec
{
    [Description("The policy whose source, destination and options this backup uses.")]
    public LocalReference? PolicyRef { get; init; }

    [Description("The domain to back up, by name on the source.")]
    [MinLength(1), MaxLength(255)]
    public required string Domain { get; init; }

    [Description("Auto: incremental when a chain can be continued, else full.")]
    [DefaultValue(BackupMode.Auto)]
    public BackupMode Mode { get; init; } = BackupMode.Auto;

    [Description("The source, when the backup has no policyRef.")]
    public BackupSource? Source { get; init; }

    [Description("The destination, when the backup has no policyRef.")]
    public BackupDestination? Destination { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<BackupStepName>))]
public enum BackupStepName { Snapshotting, Copying, Recording, Consolidating, Verifying }

[JsonConverter(typeof(JsonStringEnumConverter<BackupTypeName>))]
public enum BackupTypeName { Full, Incremental }

public sealed class VmBackupStatus : ResourceStatus, IMoverStatus
{
    [Description("Pending, Running, Succeeded or Failed.")]
    public OperationPhase? Phase { get; set; }

    [Description("What a running backup is doing now.")]
    public BackupStepName? Step { get; set; }

    [Description("Full or Incremental.")]
    public BackupTypeName? Type { get; set; }

    [Description("The restore point's id in the repository (its snapshot time, yyyyMMddTHHmmssZ).")]
    public string? RestorePoint { get; set; }

    [Description("The chain the point belongs to: the id of its full point.")]
    public string? Chain { get; set; }

    [Description("How far the copy is: bytes done of the total, percent, rate and time left.")]
    public BackupProgressStatus? Progress { get; set; }

    [Description("Data bytes this point added to the repository (its manifest's bytes), human-readable.")]
    public string? Size { get; set; }

    [Description("Data bytes this point added to the repository: the allocated data of its new files, holes not counted, as its manifest records them.")]
    public long? Bytes { get; set; }

    [Description("When the backup started running.")]
    public DateTime? StartTime { get; set; }
    [Description("When the backup finished, successfully or not.")]
    public DateTime? CompletionTime { get; set; }

    [Description("Failed attempts so far (retried while below the policy's backoffLimit).")]
    public int Failures { get; set; }

    [Description("Where the point is, so it can be restored without the policy.")]
    public RepositoryLocation? Repository { get; set; }

    [Description("Per disk: source image, repository files and bytes.")]
    [ListMapKeys("target")]
    public List<BackupDiskStatus> Disks { get; set; } = [];

    [Description("How the point was taken: Snapshot, or Bitmap (libvirt's backup API); a shut-off domain asked for Bitmap is taken with Snapshot.")]
    public BackupTechnique? Technique { get; set; }

    [Description("The guest's file systems were frozen for the snapshot.")]
    public bool? Quiesced { get; set; }

    [Description("Warnings of the run (e.g. quiesce fell back to a crash-consistent point).")]
    public List<string> Warnings { get; set; } = [];

    [Description("The Job of the current attempt and what its mover reported (--mover job).")]
    public MoverReport? Mover { get; set; }
}

public sealed class BackupProgressStatus
{
    [Description("Bytes copied so far.")]
    public long BytesDone { get; set; }
    [Description("Bytes to copy in this run.")]
    public long BytesTotal { get; set; }
    [Description("Share of bytesTotal copied, 0 to 100.")]
    [Range(0, 100)]
    public int Percent { get; set; }
    [Description("Percent as kubectl shows it, e.g. 42%.")]
    public string? PercentText { get; set; }
    [Description("Current copy rate.")]
    public long? BytesPerSecond { get; set; }
    [Description("Estimated time left, e.g. 3m20s.")]
    public string? Eta { get; set; }
}

/// <summary>Everything needed to find the point again: the claim, the directory in it, the host and the domain.</summary>
public sealed class RepositoryLocation
{
    [Description("The PersistentVolumeClaim that holds the repository.")]
    public string ClaimName { get; set; } = "";
    [Description("The repository directory inside the claim.")]
    public string? SubPath { get; set; }
    [Description("The host directory in the repository (the libvirt host's name).")]
    public string Host { get; set; } = "";
    [Description("The domain directory in the repository (the domain name).")]
    public string Domain { get; set; } = "";
    [Description("The libvirt URI the domain was backed up from; a restore defines the domain there.")]
    public string? LibvirtUri { get; set; }
    [Description("The Secret the backup logged in to that host with (ssh key and known_hosts); a restore uses it too.")]
    public LocalReference? CredentialsSecretRef { get; set; }
    [Description("The node whose host ran the libvirtd the domain was backed up from.")]
    public string? NodeName { get; set; }
}

public sealed class BackupDiskStatus
{
    [Description("The disk target name in the domain, e.g. vda.")]
    public string Target { get; set; } = "";
    [Description("The image the disk was copied from.")]
    public string? Source { get; set; }
    [Description("The repository files of the disk at this point, full image first (relative to the domain's directory).")]
    public List<string> Files { get; set; } = [];
    [Description("Data bytes the disk added to the repository at this point (its new file's allocated data).")]
    public long Bytes { get; set; }
}
