using FiBackup.Engine.Backup;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Restore;

namespace FiBackup.Operator.Movers;

/// <summary>
/// What the controllers ask of the engine, in one place: the in-process mover runs the engine in
/// the operator's own process over repositories mounted under --claims-dir; a Job mover (later)
/// runs the data-moving calls on the libvirt host's node. Repository paths are directories the
/// operator can read. Every failure is a FibackupException with a reason (Errors/ErrorReason).
/// </summary>
public interface IBackupEngine
{
    /// <summary>Names of the domains defined on the source (running or not).</summary>
    Task<SourceInventory> ListDomainsAsync(SourceConnection source, CancellationToken ct);

    /// <summary>One backup; <paramref name="progress"/> is called inline and must not block.</summary>
    Task<BackupResult> BackupAsync(SourceConnection source, BackupRequest request, IProgress<BackupProgress> progress, CancellationToken ct);

    /// <summary>A restore; without a host (<paramref name="target"/> null) it writes images only.</summary>
    Task<RestoreResult> RestoreAsync(SourceConnection? target, RestoreRequest request, IProgress<RestoreProgress> progress, CancellationToken ct);

    /// <summary>Restore points of one domain of one host in a repository, oldest first.</summary>
    IReadOnlyList<RestorePointManifest> ListPoints(string repositoryRoot, string host, string domain);

    /// <summary>Every (host, domain) that has restore points in the repository.</summary>
    IReadOnlyList<(string Host, string Domain)> ListDomainsInRepository(string repositoryRoot);

    /// <summary>Applies a retention policy; returns the ids of the points dropped.</summary>
    Task<IReadOnlyList<string>> PruneAsync(string repositoryRoot, string host, string domain, RetentionPolicy policy, CancellationToken ct);

    /// <summary>Drops exactly these points, keeping every other point restorable.</summary>
    Task DropPointsAsync(string repositoryRoot, string host, string domain, IReadOnlyCollection<string> pointIds, CancellationToken ct);

    /// <summary>Removes everything the repository holds for the domain.</summary>
    Task DeleteDomainDataAsync(string repositoryRoot, string host, string domain, CancellationToken ct);
}

/// <summary>A source's identity (its directory in repositories) and its domains.</summary>
public sealed record SourceInventory(string Host, IReadOnlyList<string> Domains);
