namespace FiBackup.Engine.Restore;

/// <summary>What the user asked a restore to do (CLI options or a VmRestore spec).</summary>
public sealed record RestoreRequest
{
    public required string RepositoryRoot { get; init; }
    public required string Domain { get; init; }
    /// <summary>Restore point id, or "latest".</summary>
    public required string Point { get; init; }
    public required string TargetDirectory { get; init; }
    /// <summary>Define a copy under this name (new UUID, new MACs).</summary>
    public string? NewName { get; init; }
    /// <summary>Replace the disks of the existing (shut-off) domain.</summary>
    public bool Force { get; init; }
    public bool Flatten { get; init; }
    /// <summary>Only put the images in place; define nothing.</summary>
    public bool Define { get; init; } = true;
    public bool Start { get; init; }
    /// <summary>Disk targets to restore; null for all.</summary>
    public IReadOnlyList<string>? Disks { get; init; }
    /// <summary>The host directory of the repository when the domain exists under several.</summary>
    public string? Host { get; init; }
}

/// <summary>What a restore did.</summary>
public sealed record RestoreResult(
    string Domain,
    string PointId,
    IReadOnlyList<RestoredDisk> Disks,
    bool Defined,
    bool Started,
    IReadOnlyList<string> Notes);
