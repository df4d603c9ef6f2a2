using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using FiBackup.Operator.Api.Schema;
using k8s.Models;

namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>Backs up the selected domains of one libvirt source on a schedule into one repository.</summary>
[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = Plural)]
[ShortNames("vmbp"), Categories(ApiGroup.Category)]
[Description("A schedule of forward-incremental backups for the selected domains of a libvirt host.")]
[PrinterColumn(1, "Schedule", "string", ".spec.schedule")]
[PrinterColumn(2, "Suspended", "boolean", ".spec.suspend")]
[PrinterColumn(3, "Last Backup", "date", ".status.lastScheduleTime")]
[PrinterColumn(4, "Last Result", "string", ".status.lastResult")]
// A string, not a date: kubectl prints a date column as an age, and a time in the future as "<invalid>".
[PrinterColumn(5, "Next Backup", "string", ".status.nextScheduleTime")]
[PrinterColumn(6, "Age", "date", ".metadata.creationTimestamp")]
public sealed class VmBackupPolicy : CustomResource<VmBackupPolicySpec, VmBackupPolicyStatus>
{
    public const string KindName = "VmBackupPolicy";
    public const string Plural = "vmbackuppolicies";

    /// <summary>Any new value of this annotation starts one run at once.</summary>
    public const string RunNowAnnotation = "fibackup.io/run-now";

    public VmBackupPolicy() => Kind = KindName;
}

public sealed record VmBackupPolicySpec
{
    [Description("Where the domains run.")]
    public required BackupSource Source { get; init; }

    [Description("Which domains of the source to back up: names, glob patterns, or all, minus exclusions.")]
    public required DomainSelector Domains { get; init; }

    [Description("When to back up, in cron format (five fields, or @daily/@hourly/...).")]
    [MinLength(1)]
    public required string Schedule { get; init; }

    [Description("IANA time zone the schedule is read in (e.g. Europe/Rome); UTC when empty.")]
    public string? TimeZone { get; init; }

    [Description("A run missed while the operator was down still starts if it is at most this many seconds late; older ones are recorded as skipped.")]
    [Range(0, long.MaxValue)]
    public long? StartingDeadlineSeconds { get; init; }

    [Description("No new scheduled runs while true; running backups finish.")]
    [DefaultValue(false)]
    public bool Suspend { get; init; }

    [Description("Where the restore points go.")]
    public required BackupDestination Destination { get; init; }

    [Description("Auto takes a full backup when there is no chain to continue, else an incremental.")]
    [DefaultValue(BackupMode.Auto)]
    public BackupMode Mode { get; init; } = BackupMode.Auto;

    [Description("Snapshot: external disk-only snapshots and a live chain folded back after each run. Bitmap: libvirt's backup API with a checkpoint per point, so the live chain never changes (qcow2 disks of running domains on a local connection; a shut-off domain is backed up with Snapshot, and a lost checkpoint makes the next run a full).")]
    [DefaultValue(BackupTechnique.Snapshot)]
    public BackupTechnique Technique { get; init; } = BackupTechnique.Snapshot;

    [Description("Directory on the host for the overlays of block-device disks (LVM, loop devices) and of images in directories fibackup may not write; default /var/lib/libvirt/images/fibackup-overlays. Other disks get their overlays beside the image.")]
    public string? OverlayDirectory { get; init; }

    [Description("How the live chain is kept short after each backup.")]
    public ConsolidationSpec? Consolidation { get; init; }

    [Description("Freeze guest file systems through the QEMU guest agent for the snapshot.")]
    [DefaultValue(QuiesceMode.Preferred)]
    public QuiesceMode Quiesce { get; init; } = QuiesceMode.Preferred;

    [Description("Which restore points to keep after each successful run; the newest successful point is always kept.")]
    public RetentionSpec? Retention { get; init; }

    [Description("How many domains of this policy are backed up at the same time.")]
    public ConcurrencySpec? Concurrency { get; init; }

    [Description("Bytes per second for each backup's copy and block jobs, a quantity such as 200Mi; unlimited when empty.")]
    [IntOrString]
    [RegularExpression(Quantity.Pattern)]
    public IntOrString? BandwidthLimit { get; init; }

    [Description("How many times a failed backup is retried before it is marked Failed.")]
    [Range(0, 100)]
    [DefaultValue(2)]
    public int BackoffLimit { get; init; } = 2;

    [Description("What happens to the restore points when the policy is deleted: Retain keeps data and VmBackups, Delete removes both.")]
    [DefaultValue(DeletionPolicy.Retain)]
    public DeletionPolicy DeletionPolicy { get; init; } = DeletionPolicy.Retain;
}

public sealed record DomainSelector
{
    [Description("Domains by exact name.")]
    public List<string>? Names { get; init; }

    [Description("Domains whose names match a glob pattern (* and ?).")]
    public List<string>? Patterns { get; init; }

    [Description("Every domain defined on the source.")]
    [DefaultValue(false)]
    public bool All { get; init; }

    [Description("Glob patterns of domains never backed up, even when selected above.")]
    public List<string>? Exclude { get; init; }
}

public sealed record ConsolidationSpec
{
    [Description("Commit folds overlays down into the image below; Pull copies the chain into the active overlay; None leaves the chain growing.")]
    [DefaultValue(ConsolidationMethod.Commit)]
    public ConsolidationMethod Method { get; init; } = ConsolidationMethod.Commit;

    [Description("Allow committing into the original base image (it may be a template shared by other VMs).")]
    [DefaultValue(false)]
    public bool AllowBaseWrite { get; init; }
}

public sealed record RetentionSpec
{
    [Description("Keep the newest N restore points.")]
    [Range(0, int.MaxValue)]
    public int? KeepLast { get; init; }

    [Description("Keep the newest point of each of the N most recent days that have points.")]
    [Range(0, int.MaxValue)]
    public int? KeepDaily { get; init; }

    [Description("Keep the newest point of each of the N most recent ISO weeks that have points.")]
    [Range(0, int.MaxValue)]
    public int? KeepWeekly { get; init; }

    [Description("Keep the newest point of each of the N most recent months that have points.")]
    [Range(0, int.MaxValue)]
    public int? KeepMonthly { get; init; }
}

public sealed record ConcurrencySpec
{
    [Description("Backups of this policy that may run at once.")]
    [Range(1, 64)]
    [DefaultValue(1)]
    public int MaxParallel { get; init; } = 1;
}

[JsonConverter(typeof(JsonStringEnumConverter<BackupTechnique>))]
public enum BackupTechnique { Snapshot, Bitmap }

[JsonConverter(typeof(JsonStringEnumConverter<ConsolidationMethod>))]
public enum ConsolidationMethod { Commit, Pull, None }

[JsonConverter(typeof(JsonStringEnumConverter<QuiesceMode>))]
public enum QuiesceMode { Disabled, Preferred, Required }

[JsonConverter(typeof(JsonStringEnumConverter<DeletionPolicy>))]
public enum DeletionPolicy { Retain, Delete }

public sealed class VmBackupPolicyStatus : ResourceStatus
{
    [Description("When the last run was scheduled (the cron time it stood for).")]
    public DateTime? LastScheduleTime { get; set; }

    [Description("When the next run is due; empty while suspended or invalid.")]
    public DateTime? NextScheduleTime { get; set; }

    [Description("Outcome of the last finished run: Succeeded, Failed, or PartiallyFailed when some domains failed.")]
    public string? LastResult { get; set; }

    [Description("The value of the fibackup.io/run-now annotation the last manual run answered.")]
    public string? LastRunNow { get; set; }

    [Description("The newest scheduled time that was missed (past startingDeadlineSeconds) and not run.")]
    public DateTime? LastMissedScheduleTime { get; set; }

    [Description("Scheduled runs missed past startingDeadlineSeconds and not started.")]
    public int MissedRuns { get; set; }

    [Description("Per domain: the last backup and the repository's state.")]
    [ListMapKeys("name")]
    public List<PolicyDomainStatus> Domains { get; set; } = [];
}

public sealed class PolicyDomainStatus
{
    [Description("Domain name on the source.")]
    public string Name { get; set; } = "";

    [Description("Name of the domain's most recent VmBackup.")]
    public string? LastBackup { get; set; }

    [Description("Phase of that VmBackup.")]
    public string? LastResult { get; set; }

    [Description("When the domain's last successful backup completed.")]
    public DateTime? LastSuccessfulTime { get; set; }

    [Description("Failed backups since the last success.")]
    public int ConsecutiveFailures { get; set; }

    [Description("Runs skipped because the domain's previous backup was still running.")]
    public int SkippedRuns { get; set; }

    [Description("Restore points of the domain in the repository.")]
    public int RestorePoints { get; set; }

    [Description("Points in the domain's current chain (the full point and its incrementals).")]
    public int ChainLength { get; set; }
}
