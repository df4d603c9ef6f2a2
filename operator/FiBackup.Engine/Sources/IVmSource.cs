namespace FiBackup.Engine.Sources;

/// <summary>
/// Where virtual machines live and how their disks are frozen and folded back: a libvirt host
/// today (qemu:///system, qemu+ssh://...), KubeVirt or a dirty-bitmap mode later. The backup,
/// consolidation and restore steps only talk to this seam, never to a URI or libvirt directly.
/// </summary>
public interface IVmSource : IDisposable
{
    /// <summary>The address the user gave (e.g. qemu:///system).</summary>
    string Uri { get; }

    /// <summary>The host the VMs run on; the first level of the repository layout.</summary>
    string Host { get; }

    /// <summary>
    /// Identifies the hypervisor host whatever address reached it (for libvirt the host UUID of the
    /// capabilities XML), so qemu:///system and qemu+ssh://root@127.0.0.1/system to one machine
    /// take the same per-domain lock.
    /// </summary>
    string HypervisorId { get; }

    /// <summary>Every defined domain, running or shut off, by name (sorted), for domain selection.</summary>
    IReadOnlyList<string> ListDomainNames();

    /// <summary>The domain with that name; <see cref="Errors.InvalidInputException"/> naming it when there is none.</summary>
    IVmDomain OpenDomain(string name);

    bool DomainExists(string name);

    /// <summary>Defines (persistently) a domain from XML, as a restore does.</summary>
    IVmDomain DefineDomain(string xml);

    /// <summary>The host's disk images, through which every read, fold, delete and write of them goes.</summary>
    IHostImages Images { get; }

    /// <summary>
    /// Every image each defined domain (running or shut off) uses: every image of every disk's
    /// backing chain, read through <see cref="Images"/>. Before fibackup writes into or deletes an
    /// overlay it checks here that no other domain uses it (another VM may have been made on top of it).
    /// </summary>
    Task<IReadOnlyList<DomainImages>> ReadImagesInUseAsync(CancellationToken ct);
}

/// <summary>The images one defined domain's disks use, their whole backing chains.</summary>
public sealed record DomainImages(string Domain, IReadOnlySet<string> Images);
