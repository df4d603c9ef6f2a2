namespace FiBackup.Operator.Movers.Jobs;

/// <summary>How `--mover job` builds its Jobs (the operator's --mover-* flags).</summary>
public sealed record JobMoverOptions
{
    /// <summary>The image with the fibackup executable (the operator's own image).</summary>
    public required string Image { get; init; }

    /// <summary>The ServiceAccount movers run as: it may read its object and patch its status.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>Host directories every mover mounts at the same path: the libvirt socket directory, image directories.</summary>
    public IReadOnlyList<string> HostPaths { get; init; } = ["/var/run/libvirt"];

    /// <summary>Namespace of the per-domain Leases, the operator's (a mover takes the same lock the operator would).</summary>
    public required string LeaseNamespace { get; init; }

    /// <summary>A Job whose mover has not reported within this time ends the attempt as MoverNotStarted.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a Job may be complete before its mover's result must be in the object's cache.</summary>
    public TimeSpan ReportGrace { get; init; } = TimeSpan.FromSeconds(30);
}
