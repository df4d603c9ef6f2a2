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
/// calls are minutes apart and a cached connection would outlive a restarted libvirtd. A
/// connection's credentials Secret is read through <paramref name="secrets"/> on each call.
/// </summary>
public sealed class InProcessMover(IDomainLocks locks, TimeProvider time, SshSecrets? secrets = null) : IBackupEngine
{
    public async Task<SourceInventory> ListDomainsAsync(SourceConnection source, CancellationToken ct)
    {
        using var uri = await OpenAsync(source, ct);
        return await uri.RunAsync(connectTo => Task.Run(() =>
        {
            using var host = LibvirtVmSource.Connect(connectTo);
            return new SourceInventory(host.Host, host.ListDomainNames());
        }, ct));
    }

    public async Task<BackupResult> BackupAsync(SourceConnection source, BackupRequest request, IProgress<BackupProgress> progress, CancellationToken ct)
    {
        using var uri = await OpenAsync(source, ct);
        // The engine's libvirt calls block; keep them off the caller's thread.
        return await uri.RunAsync(connectTo => Task.Run(async () =>
        {
            using var host = LibvirtVmSource.Connect(connectTo);
            return await new BackupRunner(time, locks).RunAsync(host, request, progress, ct);
        }, ct));
    }

    public async Task<RestoreResult> RestoreAsync(SourceConnection? target, RestoreRequest request, IProgress<RestoreProgress> progress, CancellationToken ct)
    {
        if (target is null) return await Task.Run(() => new RestoreRunner(locks).RunAsync(null, request, progress, ct), ct);
        using var uri = await OpenAsync(target, ct);
        return await uri.RunAsync(connectTo => Task.Run(async () =>
        {
            using var host = LibvirtVmSource.Connect(connectTo);
            return await new RestoreRunner(locks).RunAsync(host, request, progress, ct);
        }, ct));
    }

    private Task<ConnectedUri> OpenAsync(SourceConnection source, CancellationToken ct)
    {
        if (source.Credentials is { } secret && secrets is null)
            throw new InvalidOperationException($"{secret.Field} names a Secret, but this mover was made without a Kubernetes client to read it");
        return secrets?.OpenAsync(source, ct) ?? Task.FromResult(new ConnectedUri(source.Uri, null, ""));
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
