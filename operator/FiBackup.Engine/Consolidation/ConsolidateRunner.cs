using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// `fibackup consolidate`: folds every overlay fibackup added to a domain's disks, outside a
/// backup. With Commit the domain moves onto the folded image (so the next backup is a full).
/// </summary>
public sealed class ConsolidateRunner
{
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    public async Task<IReadOnlyList<ConsolidationOutcome>> RunAsync(IVmSource source, string domainName,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct)
    {
        SafeName.Validate("--domain", domainName);
        using var domain = source.OpenDomain(domainName);
        using var hostLock = DomainLock.Acquire(DomainLockPaths.ForHost(source.Uri, domain.Name),
            $"fibackup consolidate of {domain.Name}", LockWait, ct);
        var consolidator = new LiveChainConsolidator();
        var outcomes = new List<ConsolidationOutcome>();
        foreach (var disk in domain.ReadDisks().Where(d => d.IsBackedUp))
        {
            if (domain.IsRunning) await domain.SettleBlockJobAsync(disk.Target, ct);
            outcomes.Add(await consolidator.FoldAllAsync(domain, disk.Target, disk.ActivePath!, method, allowBaseWrite, bandwidth, ct));
        }
        return outcomes;
    }
}
