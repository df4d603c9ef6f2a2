using System.Text.Json.Serialization;

namespace FiBackup.Engine.Repository;

/// <summary>
/// The manifest of one restore point, points/&lt;id&gt;.json: everything needed to restore it and
/// to prove its files are intact. A restore point = for every disk, the files listed (a full image
/// first, then incrementals in order, each backed by the one before by a relative path).
/// </summary>
public sealed record RestorePointManifest
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string Id { get; init; }
    public required string Domain { get; init; }
    public string? DomainUuid { get; init; }
    public required string Host { get; init; }
    /// <summary>When the snapshot was taken (RFC 3339, UTC).</summary>
    public required DateTimeOffset Time { get; init; }
    public required BackupType Type { get; init; }
    /// <summary>The chain this point belongs to: the id of the chain's full point.</summary>
    public required string Chain { get; init; }
    /// <summary>0 for the full point of a chain, then 1, 2, ... for each incremental.</summary>
    public required int Sequence { get; init; }
    public required IReadOnlyList<DiskManifest> Disks { get; init; }
    /// <summary>The domain's inactive XML at backup time, used to define the domain on restore.</summary>
    public required string DomainXml { get; init; }
    public bool Quiesced { get; init; }
    /// <summary>The domain was shut off when the point was taken.</summary>
    public bool Offline { get; init; }
    public string? Tool { get; init; }
    /// <summary>The idempotency key of the request that took the point (the operator's VmBackup UID); optional.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>
    /// How the point was taken (Backup.BackupTechnique: "bitmap"); absent means the snapshot technique,
    /// which every manifest written before this field was.
    /// </summary>
    public Backup.BackupTechnique? Technique { get; init; }
    /// <summary>The libvirt checkpoint a bitmap point created (fibackup-&lt;id&gt;); the next incremental continues from it.</summary>
    public string? Checkpoint { get; init; }

    [JsonIgnore]
    public Backup.BackupTechnique TechniqueOrDefault => Technique ?? Backup.BackupTechnique.Snapshot;

    public RestorePointId PointId => RestorePointId.Parse(Id);
}

/// <summary>One disk of a restore point.</summary>
public sealed record DiskManifest
{
    /// <summary>The disk target name in the domain (vda, sdb, ...).</summary>
    public required string Target { get; init; }
    /// <summary>The path of the disk's active image in the live domain before this backup's snapshot.</summary>
    public required string Source { get; init; }
    public required long VirtualSize { get; init; }
    /// <summary>The chain of repository files that make this disk at this point, full image first.</summary>
    public required IReadOnlyList<RepositoryFile> Files { get; init; }
    /// <summary>
    /// The data bytes this point added to the repository for the disk: the allocated data extents
    /// of its own file (the last of <see cref="Files"/>), as the copy wrote them; holes do not count.
    /// </summary>
    public required long Bytes { get; init; }
    /// <summary>
    /// The length of the point's own file, holes included (what <c>ls -l</c> shows). Absent in
    /// manifests written before it was recorded; <see cref="OwnFileLength"/> falls back to the file list.
    /// </summary>
    public long? FileLength { get; init; }
    /// <summary>The overlay this backup left as the disk's active image; the next incremental copies it.</summary>
    public string? LiveOverlay { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public long OwnFileLength => FileLength ?? Files[^1].Size;
}

/// <summary>One immutable file of the repository, recorded with its length and SHA-256.</summary>
public sealed record RepositoryFile
{
    /// <summary>Path relative to the domain directory, e.g. chains/20261127T020000Z/vda/000-full.qcow2.</summary>
    public required string Path { get; init; }
    /// <summary>The file's length in bytes, holes included: what the SHA-256 covers and verify checks (not what it stores, see <see cref="DiskManifest.Bytes"/>).</summary>
    public required long Size { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>The backing file name written in the image header (relative to the image's folder), null for a full image.</summary>
    public string? Backing { get; init; }
}
