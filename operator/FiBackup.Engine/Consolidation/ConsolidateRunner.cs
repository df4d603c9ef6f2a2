using FiBackup.Engine.Errors;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Consolidation;

/// <summary>
/// `fibackup consolidate`: folds every overlay fibackup added to a domain's disks, outside a
/// backup. With Commit the domain moves onto the folded image (so the next backup is a full).
/// A block job on any disk refuses the run before anything changes (<see cref="ForeignBlockJob"/>):
/// consolidate keeps no journal, so it cannot tell a job it started from one a user started.
/// </summary>
/// <remarks>Holds the domain through the injected <see cref="IDomainLocks"/>, so it never runs beside a backup.</remarks>
public sealed class ConsolidateRunner(IDomainLocks locks)
{
    public Task<IReadOnlyList<ConsolidationOutcome>> RunAsync(IVmSource source, string domainName,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct) =>
        EngineBoundary.RunAsync($"consolidation of {domainName}", ct,
            () => RunCoreAsync(source, domainName, method, allowBaseWrite, bandwidth, ct));

    private async Task<IReadOnlyList<ConsolidationOutcome>> RunCoreAsync(IVmSource source, string domainName,
        ConsolidationMethod method, bool allowBaseWrite, long bandwidth, CancellationToken ct)
    {
        RepositoryName.Validate(EngineField.Domain, domainName);
        using var domain = source.OpenDomain(domainName);
        await using var domainLock = await locks.AcquireAsync(new DomainLockKey(source.HypervisorId, domain.Uuid, domain.Name),
            $"fibackup consolidate of {domain.Name}", ct);
        var consolidator = new LiveChainConsolidator(source);
        var disks = domain.ReadDisks().Where(d => d.IsBackedUp).ToList();
        // Every disk is checked before the first is folded, so a refusal changes nothing.
        if (domain.IsRunning)
        {
            foreach (var disk in disks)
            {
                if (domain.ActiveBlockJob(disk.Target) is { } job)
                    throw ForeignBlockJob.Refusal(domain.Name, disk.Target, job, "consolidation");
            }
        }
        var outcomes = new List<ConsolidationOutcome>();
        foreach (var disk in disks)
        {
            outcomes.Add(await consolidator.FoldAllAsync(domain, disk.Target, disk.ActivePath!, method, allowBaseWrite, bandwidth, ct));
        }
        return outcomes;
    }
}
