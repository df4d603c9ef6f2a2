using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup;

/// <summary>
/// The shape of a backup journal record before it held the manifest's records (the manifest's
/// fields one by one, disks with frozen/overlay/previousFiles). Only read, so a backup
/// interrupted by a crash of that version is still finished or undone.
/// </summary>
internal sealed record FlatBackupJournal
{
    public required string PointId { get; init; }
    public required BackupType Type { get; init; }
    public required string Chain { get; init; }
    public required int Sequence { get; init; }
    public required bool Offline { get; init; }
    public required BackupJournalStep Step { get; init; }
    public required IReadOnlyList<FlatBackupJournalDisk> Disks { get; init; }
    public required ConsolidationMethod Consolidation { get; init; }
    public bool AllowBaseWrite { get; init; }
    public bool Quiesced { get; init; }
    public long? BandwidthBytesPerSecond { get; init; }
    public required string DomainXml { get; init; }
    public string? DomainUuid { get; init; }
    public required DateTimeOffset Started { get; init; }
    public int ProcessId { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public string? IdempotencyKey { get; init; }

    /// <summary>The same record in today's shape; host and domain are those of the directory the journal is in, as that version recorded them.</summary>
    public BackupJournal ToJournal(DomainLayout layout) => new()
    {
        Point = new RestorePointManifest
        {
            Id = PointId,
            Domain = layout.Domain,
            DomainUuid = DomainUuid,
            Host = layout.Host,
            Time = RestorePointId.Parse(PointId).Time,
            Type = Type,
            Chain = Chain,
            Sequence = Sequence,
            Disks = [],
            DomainXml = DomainXml,
            Quiesced = Quiesced,
            Offline = Offline,
            IdempotencyKey = IdempotencyKey,
        },
        Step = Step,
        Disks = Disks.Select(d => new BackupJournalDisk
        {
            Manifest = new DiskManifest
            {
                Target = d.Target, Source = d.Frozen, VirtualSize = d.VirtualSize, Files = d.PreviousFiles, Bytes = 0, LiveOverlay = d.Overlay,
            },
            RepositoryFile = d.RepositoryFile,
            RepositoryBacking = d.RepositoryBacking,
            Copied = d.Copied,
            BytesCopied = d.BytesCopied,
            BytesToCopy = d.BytesToCopy,
        }).ToList(),
        Consolidation = Consolidation,
        AllowBaseWrite = AllowBaseWrite,
        BandwidthBytesPerSecond = BandwidthBytesPerSecond,
        Started = Started,
        ProcessId = ProcessId,
        Warnings = Warnings,
    };
}

/// <summary>One disk of a <see cref="FlatBackupJournal"/>.</summary>
internal sealed record FlatBackupJournalDisk
{
    public required string Target { get; init; }
    public required string Frozen { get; init; }
    public required string Overlay { get; init; }
    public required long VirtualSize { get; init; }
    public required string RepositoryFile { get; init; }
    public string? RepositoryBacking { get; init; }
    public IReadOnlyList<RepositoryFile> PreviousFiles { get; init; } = [];
    public RepositoryFile? Copied { get; init; }
    public long BytesCopied { get; init; }
    public long? BytesToCopy { get; init; }
}
