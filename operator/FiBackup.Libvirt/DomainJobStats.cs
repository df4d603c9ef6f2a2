namespace FiBackup.Libvirt;

/// <summary>What virDomainGetJobStats reports of one domain job; sizes in bytes, null when libvirt gave none.</summary>
public sealed record DomainJobStats(DomainJobType Type, DomainJobOperation? Operation, ulong? DataTotal, ulong? DataProcessed, string? ErrorMessage);
