namespace FiBackup.Libvirt;

/// <summary>virDomainJobOperation (the ones this project tells apart).</summary>
public enum DomainJobOperation
{
    Unknown = 0,
    Snapshot = 6,
    Backup = 9,
}
