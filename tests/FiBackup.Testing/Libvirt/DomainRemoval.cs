using FiBackup.Libvirt;

namespace FiBackup.Testing.Libvirt;

/// <summary>How every test helper gets rid of a domain it made: destroyed if running, then undefined with what libvirt keeps beside it.</summary>
public static class DomainRemoval
{
    /// <summary>Destroys and undefines domain <paramref name="name"/> if it exists; libvirt's failures come out as <see cref="LibvirtException"/>.</summary>
    public static void RemoveDomain(this LibvirtConnection connection, string name)
    {
        using var domain = connection.TryLookupDomain(name);
        if (domain is null) return;
        if (domain.IsActive) domain.Destroy();
        if (domain.IsPersistent)
            domain.Undefine(DomainUndefineFlags.ManagedSave | DomainUndefineFlags.SnapshotsMetadata
                | DomainUndefineFlags.CheckpointsMetadata | DomainUndefineFlags.Nvram);
    }
}
