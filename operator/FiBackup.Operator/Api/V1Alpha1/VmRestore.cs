using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FiBackup.Operator.Api.Schema;
using k8s.Models;

namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>Restores the restore point of one VmBackup as a new domain, or in place over a shut-off one.</summary>
[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = Plural)]
[ShortNames("vmr"), Categories(ApiGroup.Category)]
[Description("Restores the restore point of a VmBackup to a domain.")]
[PrinterColumn(1, "Backup", "string", ".spec.backupRef.name")]
[PrinterColumn(2, "Target", "string", ".spec.target.domain")]
[PrinterColumn(3, "Phase", "string", ".status.phase")]
[PrinterColumn(4, "Age", "date", ".metadata.creationTimestamp")]
public sealed class VmRestore : CustomResource<VmRestoreSpec, VmRestoreStatus>
{
    public const string KindName = "VmRestore";
    public const string Plural = "vmrestores";

    public VmRestore() => Kind = KindName;
}

public sealed record VmRestoreSpec
{
    [Description("The VmBackup whose restore point is restored (it must be Succeeded).")]
    public required LocalReference BackupRef { get; init; }

    [Description("Where and how to restore.")]
    public required RestoreTarget Target { get; init; }

    [Description("Disk targets to restore (e.g. vda); all when empty.")]
    public List<string>? Disks { get; init; }
}

public sealed record RestoreTarget
{
    [Description("Name of the domain to define. A new name defines a copy (new UUID and MACs); empty restores under the original name.")]
    [MaxLength(255)]
    public string? Domain { get; init; }

    [Description("Replace the disks of the existing domain, which must be shut off; its old images are kept.")]
    [DefaultValue(false)]
    public bool InPlace { get; init; }

    [Description("Directory on the libvirt host for the restored images.")]
    [MinLength(1)]
    public required string Directory { get; init; }

    [Description("Start the domain once restored.")]
    [DefaultValue(false)]
    public bool Start { get; init; }
}

public sealed class VmRestoreStatus : ResourceStatus, IMoverStatus
{
    [Description("Pending, Running, Succeeded or Failed.")]
    public OperationPhase? Phase { get; set; }

    [Description("The domain that was defined.")]
    public string? Domain { get; set; }

    [Description("The restore point that was restored.")]
    public string? RestorePoint { get; set; }

    [Description("Per disk: the restored image.")]
    [ListMapKeys("target")]
    public List<RestoredDiskStatus> Disks { get; set; } = [];

    [Description("When the restore started running.")]
    public DateTime? StartTime { get; set; }
    [Description("When the restore finished, successfully or not.")]
    public DateTime? CompletionTime { get; set; }

    [Description("The Job running the restore and what its mover reported (--mover job).")]
    public MoverReport? Mover { get; set; }
}

public sealed class RestoredDiskStatus
{
    [Description("The disk target name in the domain, e.g. vda.")]
    public string Target { get; set; } = "";
    [Description("The restored image the domain uses.")]
    public string File { get; set; } = "";
}
