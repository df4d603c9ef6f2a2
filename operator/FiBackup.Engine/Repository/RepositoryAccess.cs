using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository.Locking;

namespace FiBackup.Engine.Repository;

/// <summary>Opens a repository for writing, with errors that say what is wrong with the directory.</summary>
public static class RepositoryAccess
{
    /// <summary>Creates the domain's directories if needed and proves they are writable.</summary>
    public static DomainLayout PrepareDomain(string repositoryRoot, string host, string domain)
    {
        if (string.IsNullOrWhiteSpace(repositoryRoot))
            throw new InvalidInputException("a repository directory is required", EngineField.Repository);
        var layout = new RepositoryLayout(repositoryRoot).ForDomain(host, domain);
        var parent = Path.GetDirectoryName(Path.GetFullPath(repositoryRoot));
        if (!Directory.Exists(repositoryRoot) && parent is not null && !Directory.Exists(parent))
            throw new InvalidInputException($"repository {repositoryRoot} does not exist and neither does its parent {parent}", EngineField.Repository);
        try
        {
            Directory.CreateDirectory(layout.PointsDirectory);
            Directory.CreateDirectory(layout.JournalDirectory);
            var probe = Path.Combine(layout.Directory, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new FibackupException(e is UnauthorizedAccessException ? ErrorReason.PermissionDenied : ErrorReason.RepositoryUnavailable,
                $"repository directory {layout.Directory} is not writable: {e.Message}", EngineField.Repository, e);
        }
        return layout;
    }

    /// <summary>
    /// Removes a domain's whole directory (every restore point, chain file and journal record) under
    /// its repository lock, for a policy deleted with deletionPolicy: Delete. points/ goes first, so
    /// a crash half-way leaves a directory no listing shows as a domain; running it again finishes.
    /// The lock file goes last: a process that waited on it then finds no domain and starts afresh.
    /// </summary>
    public static Task DeleteDomainAsync(DomainLayout layout, CancellationToken ct) =>
        EngineBoundary.RunAsync($"deleting {layout.Host}/{layout.Domain} from the repository", ct, () =>
        {
            if (!Directory.Exists(layout.Directory)) return Task.FromResult(0);
            using (DomainLock.Acquire(layout.LockFile, "fibackup delete of the domain's backups", TimeSpan.Zero, ct, layout.Domain))
            {
                foreach (var folder in new[] { layout.PointsDirectory, Path.Combine(layout.Directory, DomainLayout.ChainsFolder), layout.JournalDirectory })
                {
                    ct.ThrowIfCancellationRequested();
                    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                    AtomicFile.SyncDirectory(layout.Directory);
                }
                foreach (var file in Directory.EnumerateFiles(layout.Directory).Where(f => f != layout.LockFile))
                    File.Delete(file);
            }
            File.Delete(layout.LockFile);
            if (!Directory.EnumerateFileSystemEntries(layout.Directory).Any()) Directory.Delete(layout.Directory);
            return Task.FromResult(0);
        });
}
