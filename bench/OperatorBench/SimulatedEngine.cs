using FiBackup.Engine.Backup;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Restore;
using FiBackup.Operator.Movers;

namespace OperatorBench;

/// <summary>
/// An engine that moves no data: one host with N domains, backups that report one progress (with a
/// plan) and return a full restore point of one disk, kept in memory so ListPoints and the
/// repository sync see them. What is left to measure is the operator itself.
/// </summary>
public sealed class SimulatedEngine(int domainCount) : IBackupEngine
{
    public const string Host = "bench-host";
    private const long DiskBytes = 1L << 30;

    private readonly SourceInventory inventory = new(Host, Enumerable.Range(0, domainCount).Select(i => $"vm-{i:D4}").ToList());
    private readonly Lock gate = new();
    private readonly Dictionary<(string Root, string Host, string Domain), List<RestorePointManifest>> points = [];

    public int Backups { get; private set; }

    public Task<SourceInventory> ListDomainsAsync(SourceConnection source, CancellationToken ct) => Task.FromResult(inventory);

    public async Task<BackupResult> BackupAsync(SourceConnection source, BackupRequest request, IProgress<BackupProgress> progress, CancellationToken ct)
    {
        await Task.Yield();
        var key = (request.RepositoryRoot, Host, request.Domain);
        RestorePointManifest manifest;
        lock (gate)
        {
            var existing = points.TryGetValue(key, out var list) ? list : points[key] = [];
            if (request.IdempotencyKey is { } idempotency && existing.FirstOrDefault(p => p.IdempotencyKey == idempotency) is { } done)
                return BackupResult.FromManifest(done, BackupOutcome.AlreadyDone);
            var id = new RestorePointId(DateTimeOffset.UtcNow);
            while (existing.Any(p => p.Id == id.ToString())) id = id.NextSecond();
            var source = $"/var/lib/libvirt/images/{request.Domain}.qcow2";
            progress.Report(new BackupProgress(BackupStep.Copying, 0, DiskBytes, "vda")
            {
                Plan = new BackupPlan(id.ToString(), BackupType.Full, id.ToString(), [new PlannedDisk("vda", source, DiskBytes)]),
                Disks = [new DiskProgress("vda", 0, DiskBytes)],
            });
            manifest = new RestorePointManifest
            {
                Id = id.ToString(), Domain = request.Domain, Host = Host, Time = id.Time, Type = BackupType.Full,
                Chain = id.ToString(), Sequence = 0, DomainXml = $"<domain><name>{request.Domain}</name></domain>",
                IdempotencyKey = request.IdempotencyKey, Tool = "OperatorBench (simulated)",
                Disks =
                [
                    new DiskManifest
                    {
                        Target = "vda", Source = source, VirtualSize = DiskBytes, Bytes = DiskBytes,
                        Files = [new RepositoryFile { Path = $"chains/{id}/vda/000-full.qcow2", Size = DiskBytes, Sha256 = new string('0', 64) }],
                    },
                ],
            };
            existing.Add(manifest);
            Backups++;
        }
        return BackupResult.FromManifest(manifest, BackupOutcome.Created) with { SnapshotDuration = TimeSpan.FromMilliseconds(5) };
    }

    public Task<RestoreResult> RestoreAsync(SourceConnection? target, RestoreRequest request, IProgress<RestoreProgress> progress, CancellationToken ct) =>
        throw new NotSupportedException("the operator bench does not restore");

    public IReadOnlyList<RestorePointManifest> ListPoints(string repositoryRoot, string host, string domain)
    {
        lock (gate) return points.TryGetValue((repositoryRoot, host, domain), out var list) ? [.. list] : [];
    }

    public IReadOnlyList<(string Host, string Domain)> ListDomainsInRepository(string repositoryRoot)
    {
        lock (gate) return points.Where(p => p.Key.Root == repositoryRoot && p.Value.Count > 0).Select(p => (p.Key.Host, p.Key.Domain)).ToList();
    }

    public Task<IReadOnlyList<string>> PruneAsync(string repositoryRoot, string host, string domain, RetentionPolicy policy, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public Task DropPointsAsync(string repositoryRoot, string host, string domain, IReadOnlyCollection<string> pointIds, CancellationToken ct)
    {
        lock (gate)
        {
            if (points.TryGetValue((repositoryRoot, host, domain), out var list)) list.RemoveAll(p => pointIds.Contains(p.Id));
        }
        return Task.CompletedTask;
    }

    public Task DeleteDomainDataAsync(string repositoryRoot, string host, string domain, CancellationToken ct)
    {
        lock (gate) points.Remove((repositoryRoot, host, domain));
        return Task.CompletedTask;
    }
}
