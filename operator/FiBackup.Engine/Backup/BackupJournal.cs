using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup;

/// <summary>The journal record of one backup (journal/backup-&lt;pointId&gt;.json).</summary>
public sealed record BackupJournal
{
    public const string Prefix = "backup-";

    public required string PointId { get; init; }
    public required BackupType Type { get; init; }
    public required string Chain { get; init; }
    public required int Sequence { get; init; }
    public required bool Offline { get; init; }
    public required BackupJournalStep Step { get; init; }
    public required IReadOnlyList<BackupJournalDisk> Disks { get; init; }
    public required ConsolidationMethod Consolidation { get; init; }
    public bool AllowBaseWrite { get; init; }
    public bool Quiesced { get; init; }
    public long? BandwidthBytesPerSecond { get; init; }
    public required string DomainXml { get; init; }
    public string? DomainUuid { get; init; }
    public required DateTimeOffset Started { get; init; }
    public int ProcessId { get; init; } = Environment.ProcessId;
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>The request's idempotency key, copied into the manifest.</summary>
    public string? IdempotencyKey { get; init; }

    public string Name => Prefix + PointId;
}

/// <summary>One disk of a journaled backup.</summary>
public sealed record BackupJournalDisk
{
    public required string Target { get; init; }
    /// <summary>The active image before the snapshot; read-only afterwards; the image this backup copies.</summary>
    public required string Frozen { get; init; }
    /// <summary>The overlay the snapshot creates; the domain's active image afterwards.</summary>
    public required string Overlay { get; init; }
    public required long VirtualSize { get; init; }
    /// <summary>This point's new repository file, relative to the domain directory.</summary>
    public required string RepositoryFile { get; init; }
    /// <summary>The backing name written into the repository file (previous file of the chain), null for a full.</summary>
    public string? RepositoryBacking { get; init; }
    /// <summary>The files of the previous point of the chain for this disk (empty for a full).</summary>
    public IReadOnlyList<RepositoryFile> PreviousFiles { get; init; } = [];
    /// <summary>Filled once the file is in the repository.</summary>
    public RepositoryFile? Copied { get; init; }
    /// <summary>The data bytes of the copied file (its allocated extents), recorded as the manifest's bytes.</summary>
    public long BytesCopied { get; init; }
    /// <summary>The planned estimate of what the copy reads, so progress totals stay those of the plan.</summary>
    public long? BytesToCopy { get; init; }
}
