using FiBackup.Engine.Backup;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Prune;

/// <summary>
/// Deletes what no restore point needs any more: files under chains/ that no manifest lists
/// (dropped points' files, files replaced by a prune, leftovers of a crash), *.partial files, and
/// the folders that become empty. The manifests on disk are the only truth: when one cannot be
/// read, nothing is deleted. Only names fibackup writes are candidates (invariant 2): a chain file
/// (<see cref="DomainLayout.IsChainFileName"/>: a backup's or a prune's, or its .partial) in a
/// chains/&lt;chainId&gt;/&lt;target&gt;/ folder. Anything else someone put under chains/ (a
/// restored image, a note, a copy) is not fibackup's to delete and stays.
/// </summary>
internal static class RepositorySweeper
{
    public const string CrashAfterFirstDelete = "prune-file-deleted";

    public sealed record Swept(IReadOnlyList<string> Files, long Bytes);

    public static Swept Sweep(DomainLayout layout)
    {
        var referenced = new ManifestStore(layout).List()
            .SelectMany(m => m.Disks).SelectMany(d => d.Files)
            .Select(f => layout.Resolve(f.Path))
            .ToHashSet(StringComparer.Ordinal);
        // A backup interrupted after its copy has files no manifest lists yet; its recovery
        // records them, so they are not leftovers.
        referenced.UnionWith(FilesOfPendingBackups(layout));

        var deleted = new List<string>();
        long bytes = 0;
        var chains = Path.Combine(layout.Directory, DomainLayout.ChainsFolder);
        var candidates = Directory.Exists(chains)
            ? Directory.EnumerateFiles(chains, "*", SearchOption.AllDirectories)
                .Where(f => IsChainFileName(chains, f) && !referenced.Contains(f)).ToList()
            : [];
        if (Directory.Exists(layout.PointsDirectory))
            candidates.AddRange(Directory.EnumerateFiles(layout.PointsDirectory, "*" + AtomicFile.PartialSuffix));

        foreach (var file in candidates.Order(StringComparer.Ordinal))
        {
            var size = DataBytes.Of(file); // what deleting it frees, as `bytes` counts everywhere
            File.Delete(file);
            AtomicFile.SyncDirectory(Path.GetDirectoryName(file)!);
            deleted.Add(Path.GetRelativePath(layout.Directory, file));
            bytes += size;
            if (deleted.Count == 1) CrashPoint.Reached(CrashAfterFirstDelete);
        }
        if (Directory.Exists(chains)) RemoveEmptyFolders(chains, keep: true);
        return new Swept(deleted, bytes);
    }

    /// <summary>Whether <paramref name="file"/> is chains/&lt;chainId&gt;/&lt;target&gt;/&lt;a name fibackup writes&gt;.</summary>
    internal static bool IsChainFileName(string chains, string file)
    {
        var parts = Path.GetRelativePath(chains, file).Split(Path.DirectorySeparatorChar);
        return parts.Length == 3 && DomainLayout.IsChainFileName(parts[2]);
    }

    private static IEnumerable<string> FilesOfPendingBackups(DomainLayout layout)
    {
        var journals = new JournalStore(layout);
        foreach (var name in journals.List(BackupJournal.Prefix))
        foreach (var disk in BackupJournal.Read(journals, name).Disks)
            yield return layout.Resolve(disk.RepositoryFile);
    }

    private static void RemoveEmptyFolders(string folder, bool keep)
    {
        foreach (var child in Directory.EnumerateDirectories(folder).ToList())
            RemoveEmptyFolders(child, keep: false);
        if (keep || Directory.EnumerateFileSystemEntries(folder).Any()) return;
        Directory.Delete(folder);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(folder)!);
    }
}
