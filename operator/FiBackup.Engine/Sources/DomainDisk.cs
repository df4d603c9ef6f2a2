namespace FiBackup.Engine.Sources;

/// <summary>One disk of a domain as its definition describes it.</summary>
public sealed record DomainDisk(
    string Target,
    string Device,
    string SourceType,
    string? ActivePath,
    string? Format,
    string? SnapshotMode,
    bool ReadOnly,
    bool Shareable)
{
    /// <summary>
    /// Only real writable disks with a file or block source are backed up: cdrom and floppy media,
    /// disks marked snapshot='no', read-only and shareable disks are skipped (fi-backup did the same
    /// for media; shared disks cannot be frozen consistently from one domain).
    /// </summary>
    public bool IsBackedUp =>
        Device == "disk" && SnapshotMode != "no" && !ReadOnly && !Shareable
        && ActivePath is not null && SourceType is "file" or "block";
}
