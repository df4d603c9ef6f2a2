using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>A reference to an object of the same namespace by name.</summary>
public sealed record LocalReference
{
    [Description("Name of the object in the same namespace.")]
    [MinLength(1), MaxLength(253)]
    public required string Name { get; init; }
}

/// <summary>Where a backup is read from: a libvirt host (KubeVirt comes later).</summary>
public sealed record BackupSource
{
    [Description("A libvirt daemon reached by URI: the local one on a node, or a remote host over qemu+ssh:// or qemu+tls://.")]
    public LibvirtSource? Libvirt { get; init; }
}

public sealed record LibvirtSource
{
    [Description("libvirt connection URI, e.g. qemu:///system or qemu+ssh://backup@hv1.example/system.")]
    [DefaultValue("qemu:///system")]
    [MinLength(1)]
    public string Uri { get; init; } = "qemu:///system";

    [Description("The node whose host runs that libvirtd (its socket and image paths); where movers run.")]
    public string? NodeName { get; init; }

    [Description("Secret with the credentials for a remote URI (an SSH key, TLS certificates).")]
    public LocalReference? CredentialsSecretRef { get; init; }
}

/// <summary>Where restore points are stored: a PersistentVolumeClaim (a directory on it).</summary>
public sealed record BackupDestination
{
    [Description("The PersistentVolumeClaim that holds the repository.")]
    public required ClaimDestination PersistentVolumeClaim { get; init; }
}

public sealed record ClaimDestination
{
    [Description("Name of the PersistentVolumeClaim in the object's namespace.")]
    [MinLength(1), MaxLength(253)]
    public required string ClaimName { get; init; }

    [Description("Directory inside the claim for this repository: relative, without '..'.")]
    public string? SubPath { get; init; }
}

/// <summary>Full, incremental, or whatever the repository allows (a full when there is no chain yet).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackupMode>))]
public enum BackupMode { Auto, Full, Incremental }

/// <summary>The lifecycle of a VmBackup or VmRestore, as `kubectl get` shows it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OperationPhase>))]
public enum OperationPhase { Pending, Running, Succeeded, Failed }

/// <summary>The condition types users wait on (`kubectl wait --for=condition=Complete`).</summary>
public static class ConditionTypes
{
    /// <summary>On a VmBackupPolicy: the spec is valid and its source and destination answer.</summary>
    public const string Ready = "Ready";
    /// <summary>On a VmBackup/VmRestore: work is under way (True while Running).</summary>
    public const string Progressing = "Progressing";
    /// <summary>On a VmBackup/VmRestore: finished successfully (as batch/v1 Job's Complete).</summary>
    public const string Complete = "Complete";
    /// <summary>On a VmBackup/VmRestore: finished without success; the reason says why.</summary>
    public const string Failed = "Failed";
}
