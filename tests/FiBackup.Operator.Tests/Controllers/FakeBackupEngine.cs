using FiBackup.Engine.Backup;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Restore;
using FiBackup.Operator.Movers;

namespace FiBackup.Operator.Tests.Controllers;

/// <summary>
/// An in-memory engine: one source with a host name and domains, and a repository of restore
/// points per (host, domain). The policy controller only lists; data-moving calls are not expected.
/// </summary>
public sealed class FakeBackupEngine(string host, params string[] domains) : IBackupEngine
{
    public List<string> Domains { get; } = [.. domains];
    public Dictionary<(string Host, string Domain), List<RestorePointManifest>> Points { get; } = [];

    public void AddPoint(string domain, string id, string? idempotencyKey = null, string? chain = null) =>
        (Points.TryGetValue((host, domain), out var list) ? list : Points[(host, domain)] = []).Add(Manifest(host, domain, id, idempotencyKey, chain));

    public static RestorePointManifest Manifest(string host, string domain, string id, string? idempotencyKey = null, string? chain = null) => new()
    {
        Id = id, Domain = domain, Host = host, Time = RestorePointId.Parse(id).Time, Type = chain is null ? BackupType.Full : BackupType.Incremental,
        Chain = chain ?? id, Sequence = chain is null ? 0 : 1, DomainXml = "<domain/>", IdempotencyKey = idempotencyKey,
        Disks =
        [
            new DiskManifest
            {
                Target = "vda", Source = $"/var/lib/libvirt/images/{domain}.qcow2", VirtualSize = 1 << 30, Bytes = 3 << 20,
                Files = [new RepositoryFile { Path = $"chains/{chain ?? id}/vda/000-full.qcow2", Size = 3 << 20, Sha256 = "00" }],
            },
        ],
    };

    public Task<SourceInventory> ListDomainsAsync(SourceConnection source, CancellationToken ct) =>
        Task.FromResult(new SourceInventory(host, Domains.ToList()));

    public IReadOnlyList<RestorePointManifest> ListPoints(string repositoryRoot, string host, string domain) =>
        Points.TryGetValue((host, domain), out var list) ? list.ToList() : [];

    public IReadOnlyList<(string Host, string Domain)> ListDomainsInRepository(string repositoryRoot) =>
        Points.Where(p => p.Value.Count > 0).Select(p => p.Key).ToList();

    /// <summary>What a backup does; unset, a backup is a test error (the policy controller never backs up itself).</summary>
    public Func<BackupRequest, Task<BackupResult>>? Backup { get; set; }

    public int BackupCalls;

    public Task<BackupResult> BackupAsync(SourceConnection source, BackupRequest request, IProgress<BackupProgress> progress, CancellationToken ct)
    {
        Interlocked.Increment(ref BackupCalls);
        return Backup?.Invoke(request) ?? throw new NotSupportedException("this test does not expect a backup to run");
    }

    public Task<RestoreResult> RestoreAsync(SourceConnection? target, RestoreRequest request, IProgress<RestoreProgress> progress, CancellationToken ct) =>
        throw new NotSupportedException("the policy controller never restores");

    public Task<IReadOnlyList<string>> PruneAsync(string repositoryRoot, string host, string domain, RetentionPolicy policy, CancellationToken ct) =>
        throw new NotSupportedException("the policy controller never prunes");

    public Task DropPointsAsync(string repositoryRoot, string host, string domain, IReadOnlyCollection<string> pointIds, CancellationToken ct) =>
        throw new NotSupportedException("the policy controller never drops points");

    public Task DeleteDomainDataAsync(string repositoryRoot, string host, string domain, CancellationToken ct) =>
        throw new NotSupportedException("only the finalizer deletes domain data");
}
