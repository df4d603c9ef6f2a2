using FiBackup.Engine.Backup;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Restore;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Operator.Movers;

/// <summary>
/// Runs the engine inside the operator process (`--mover in-process`): for one node, or a host that
/// sees the libvirt host's images and the repository claims itself. One libvirt connection per call:
/// calls are minutes apart and a cached connection would outlive a restarted libvirtd.
/// </summary>
public sealed class InProcessMover(IDomainLocks locks, TimeProvider time) : IBackupEngine
{
    public Task<SourceInventory> ListDomainsAsync(string libvirtUri, CancellationToken ct) => Task.Run(() =>
    {
        using var source = LibvirtVmSource.Connect(libvirtUri);
        return new SourceInventory(source.Host, source.ListDomainNames());
    }, ct);

    public async Task<BackupResult> BackupAsync(string libvirtUri, BackupRequest request, IProgress<BackupProgress> progress, CancellationToken ct)
    {
        // The engine's libvirt calls block; keep them off the caller's thread.
        return await Task.Run(async () =>
        {
            using var source = LibvirtVmSource.Connect(libvirtUri);
            return await new BackupRunner(time, locks).RunAsync(source, request, progress, ct);
        }, ct);
    }

    public async Task<RestoreResult> RestoreAsync(string? libvirtUri, RestoreRequest request, IProgress<RestoreProgress> progress, CancellationToken ct)
    {
        return await Task.Run(async () =>
        {
            using var source = libvirtUri is null ? null : LibvirtVmSource.Connect(libvirtUri);
            return await new RestoreRunner(locks).RunAsync(source, request, progress, ct);
        }, ct);
    }

    public IReadOnlyList<RestorePointManifest> ListPoints(string repositoryRoot, string host, string domain)
    {
        var layout = new RepositoryLayout(repositoryRoot).ForDomain(host, domain);
        return new ManifestStore(layout).List();
    }

    public IReadOnlyList<(string Host, string Domain)> ListDomainsInRepository(string repositoryRoot) =>
        new RepositoryLayout(repositoryRoot).Domains().Select(d => (d.Host, d.Domain)).ToList();

    public async Task<IReadOnlyList<string>> PruneAsync(string repositoryRoot, string host, string domain, RetentionPolicy policy, CancellationToken ct)
    {
        var layout = new RepositoryLayout(repositoryRoot).ForDomain(host, domain);
        var result = await Task.Run(() => new Pruner(TimeZoneInfo.Utc, time).PruneAsync(layout, policy, dryRun: false, ct), ct);
        return result.Plan.Dropped.Select(p => p.Id).ToList();
    }

    public async Task DropPointsAsync(string repositoryRoot, string host, string domain, IReadOnlyCollection<string> pointIds, CancellationToken ct)
    {
        var layout = new RepositoryLayout(repositoryRoot).ForDomain(host, domain);
        await Task.Run(() => new Pruner(TimeZoneInfo.Utc, time).DropAsync(layout, pointIds, ct), ct);
    }

    public async Task DeleteDomainDataAsync(string repositoryRoot, string host, string domain, CancellationToken ct)
    {
        var layout = new RepositoryLayout(repositoryRoot).ForDomain(host, domain);
        await Task.Run(() => RepositoryAccess.DeleteDomainAsync(layout, ct), ct);
    }
}
