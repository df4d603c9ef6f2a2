using System.Text.Json;
using System.Text.Json.Serialization;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup;

/// <summary>
/// The journal record of one backup (journal/backup-&lt;pointId&gt;.json): the manifest the backup
/// will record, as planned, and how far the backup got. The manifest's fields are held in the
/// manifest's own records (<see cref="Point"/> and each disk's <see cref="BackupJournalDisk.Manifest"/>),
/// so what the planner sets is what <see cref="ToManifest"/> records, field for field.
/// </summary>
public sealed record BackupJournal
{
    public const string Prefix = "backup-";

    /// <summary>
    /// The restore point's manifest without its disks: those are in <see cref="Disks"/>, each with
    /// what its copy produced, and join it in <see cref="ToManifest"/>; so <c>Disks</c> here is empty.
    /// </summary>
    public required RestorePointManifest Point { get; init; }
    public required BackupJournalStep Step { get; init; }
    public required IReadOnlyList<BackupJournalDisk> Disks { get; init; }
    public required ConsolidationMethod Consolidation { get; init; }
    public bool AllowBaseWrite { get; init; }
    public long? BandwidthBytesPerSecond { get; init; }
    public required DateTimeOffset Started { get; init; }
    public int ProcessId { get; init; } = Environment.ProcessId;
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>A bitmap incremental: the previous point's checkpoint, whose bitmaps say what to copy.</summary>
    public string? IncrementalFrom { get; init; }

    [JsonIgnore]
    public string PointId => Point.Id;

    public string Name => Prefix + PointId;

    /// <summary>The manifest to write once every disk is copied.</summary>
    public RestorePointManifest ToManifest(string tool) =>
        Point with { Disks = Disks.Select(d => d.Recorded()).ToList(), Tool = tool };

    /// <summary>
    /// Reads a record in this shape or in the flat one versions before it wrote
    /// (<see cref="FlatBackupJournal"/>), so a run interrupted under the previous version recovers.
    /// </summary>
    public static BackupJournal Read(JournalStore journals, string name) =>
        journals.Read(name, document => document.TryGetProperty("point", out _)
            ? document.Deserialize<BackupJournal>(RepositoryJson.Options)
            : document.Deserialize<FlatBackupJournal>(RepositoryJson.Options)?.ToJournal(journals.Layout));
}

/// <summary>One disk of a journaled backup.</summary>
public sealed record BackupJournalDisk
{
    /// <summary>
    /// The disk as its manifest entry, planned: <see cref="DiskManifest.Source"/> is the frozen image,
    /// <see cref="DiskManifest.LiveOverlay"/> the new overlay, <see cref="DiskManifest.Files"/> the previous
    /// point's files. The copy adds this point's own file, its data bytes and length (<see cref="Recorded"/>).
    /// </summary>
    public required DiskManifest Manifest { get; init; }
    /// <summary>This point's new repository file, relative to the domain directory.</summary>
    public required string RepositoryFile { get; init; }
    /// <summary>The backing name written into the repository file (previous file of the chain), null for a full.</summary>
    public string? RepositoryBacking { get; init; }
    /// <summary>Filled once the file is in the repository.</summary>
    public RepositoryFile? Copied { get; init; }
    /// <summary>The data bytes of the copied file (its allocated extents), recorded as the manifest's bytes.</summary>
    public long BytesCopied { get; init; }
    /// <summary>The planned estimate of what the copy reads, so progress totals stay those of the plan.</summary>
    public long? BytesToCopy { get; init; }
    /// <summary>
    /// A full whose frozen image is not one standalone qcow2 (a chain below it, or raw): the copy
    /// reads through the chain into one file. Decided by the planner from the chain it read; null
    /// for an incremental and in journals of earlier versions (the copy then reads the chain again).
    /// </summary>
    public bool? Flatten { get; init; }

    [JsonIgnore]
    public string Target => Manifest.Target;

    /// <summary>The active image before the snapshot; read-only afterwards; the image this backup copies.</summary>
    [JsonIgnore]
    public string Frozen => Manifest.Source;

    /// <summary>The overlay the snapshot creates; the domain's active image afterwards.</summary>
    [JsonIgnore]
    public string Overlay => Manifest.LiveOverlay
        ?? throw new InvalidDataException($"the backup journal's disk {Manifest.Target} names no overlay (liveOverlay)");

    /// <summary>The disk's manifest entry once copied: the previous files and this point's own.</summary>
    public DiskManifest Recorded()
    {
        var own = Copied ?? throw new InvalidOperationException($"disk {Target} was not copied");
        // What the point stores: data written, not the (sparse) file length.
        return Manifest with { Files = [.. Manifest.Files, own], Bytes = BytesCopied, FileLength = own.Size };
    }
}
