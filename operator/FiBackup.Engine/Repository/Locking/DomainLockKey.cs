namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// Which domain an operation locks, by identity: the hypervisor host (<see cref="Sources.IVmSource.HypervisorId"/>)
/// and the domain's UUID, so two URIs to one host, or a renamed domain, still meet on one lock.
/// <see cref="DomainName"/> is only for messages.
/// </summary>
public sealed record DomainLockKey(string HypervisorId, Guid DomainUuid, string DomainName);
