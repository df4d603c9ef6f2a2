using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Tools;
using FiBackup.Engine.Verify;

namespace FiBackup.Engine.Prune;

/// <summary>
/// Writes the new files that let the retained points of each chain stand without the dropped ones,
/// and says how each retained manifest must list its files afterwards. It only adds files (never
/// changes one): the manifests still point at the old files until the caller rewrites them.
///
/// Per chain and disk, walking the retained points oldest first, the files between the previous
/// retained point's file (exclusive) and this point's file (inclusive) become one new file:
/// <list type="bullet">
/// <item>no previous retained point and more than the full image: a new self-contained full,
///   <c>000-full-&lt;pointId&gt;.p&lt;pruneId&gt;.qcow2</c> (`qemu-img convert` of the point's chain);</item>
/// <item>otherwise a copy of the point's own file rebased onto the previous retained point's
///   (possibly new) file, <c>&lt;seq&gt;-&lt;pointId&gt;.p&lt;pruneId&gt;.qcow2</c>: a safe rebase,
///   which copies in every cluster where the old and new backing chains differ, when dropped
///   files are folded in; a header-only rebase when only the backing file's name changed (its
///   content was just proved identical).</item>
/// </list>
/// A point whose own file and backing both stay keeps its file. The ".p&lt;pruneId&gt;" part makes
/// every new name unique, so a name is never reused for other content.
/// Every source file is checked against its recorded SHA-256 first (prune must not launder a
/// corrupt file into a fresh, correctly hashed one), and every new file is compared with the
/// point's old chain (`qemu-img compare`) before it is committed.
/// </summary>
internal sealed class ChainRewriter(DomainLayout layout, string pruneId)
{
    private readonly Dictionary<string, FileDigest> _verified = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _dataBytes = new(StringComparer.Ordinal);

    public List<RepositoryFile> FilesWritten { get; } = [];

    /// <summary>The data the new files store (their extents, not their lengths): what prune reports as written.</summary>
    public long DataBytesWritten => FilesWritten.Sum(f => _dataBytes[f.Path]);

    /// <summary>The retained manifests that list different files afterwards, rewritten; the others are unchanged.</summary>
    public async Task<IReadOnlyList<RestorePointManifest>> RewriteAsync(IEnumerable<RestorePointManifest> retained, CancellationToken ct)
    {
        var newDisks = new Dictionary<(string Point, string Target), DiskManifest>();
        foreach (var chain in retained.GroupBy(p => p.Chain))
        {
            var ordered = chain.OrderBy(p => p.Sequence).ThenBy(p => p.Time).ToList();
            foreach (var target in ordered.SelectMany(p => p.Disks.Select(d => d.Target)).Distinct())
                await RewriteDiskAsync(target, ordered, newDisks, ct);
        }
        return retained
            .Where(p => p.Disks.Any(d => newDisks.ContainsKey((p.Id, d.Target))))
            .Select(p => p with { Disks = p.Disks.Select(d => newDisks.GetValueOrDefault((p.Id, d.Target), d)).ToList() })
            .ToList();
    }

    private async Task RewriteDiskAsync(string target, List<RestorePointManifest> ordered,
        Dictionary<(string, string), DiskManifest> newDisks, CancellationToken ct)
    {
        RepositoryFile? previousOld = null;
        IReadOnlyList<RepositoryFile> previousNew = [];
        foreach (var point in ordered)
        {
            if (point.Disks.FirstOrDefault(d => d.Target == target) is not { } disk) continue;
            var files = disk.Files;
            var own = files[^1];
            // Normally this point's chain runs through the previous retained point's file. After an
            // interrupted prune it may not (that point's manifest was rewritten, this one's not yet):
            // then its whole chain is folded, which a safe rebase does correctly whatever the old
            // backing is, since it copies in every cluster where the two backings differ.
            var start = previousOld is null ? 0 : files.Select(f => f.Path).ToList().IndexOf(previousOld.Path) + 1;
            var segment = previousOld is not null && start == 0 ? files.Count + 1 : files.Count - start;
            var backingChanged = previousNew.Count > 0 && !ReferenceEquals(previousNew[^1], previousOld);

            RepositoryFile newOwn;
            if (segment == 1 && !backingChanged)
            {
                newOwn = own;
            }
            else
            {
                await EnsureIntactAsync(files, ct);
                newOwn = previousOld is null
                    ? await WriteFullAsync(point, files, ct)
                    : await WriteOverlayAsync(point, files, previousNew[^1], foldDropped: segment > 1, ct);
                FilesWritten.Add(newOwn);
            }

            var list = previousNew.Append(newOwn).ToList();
            if (!ReferenceEquals(newOwn, own))
                newDisks[(point.Id, target)] = disk with { Files = list, Bytes = _dataBytes[newOwn.Path], FileLength = newOwn.Size };
            previousOld = own;
            previousNew = list;
        }
    }

    private Task<RepositoryFile> WriteFullAsync(RestorePointManifest point, IReadOnlyList<RepositoryFile> files, CancellationToken ct) =>
        WriteAsync(files, DomainLayout.PrunedFullFileName(point.Id, pruneId), backing: null, async partial =>
            await QemuImg.ConvertAsync(layout.Resolve(files[^1].Path), partial, ct, forceShare: false), ct);

    private Task<RepositoryFile> WriteOverlayAsync(RestorePointManifest point, IReadOnlyList<RepositoryFile> files, RepositoryFile backing,
        bool foldDropped, CancellationToken ct)
    {
        var own = files[^1];
        var backingName = Path.GetFileName(backing.Path);
        return WriteAsync(files, DomainLayout.PrunedChainFileName(point.Sequence, point.Id, pruneId), backingName, async partial =>
        {
            File.Copy(layout.Resolve(own.Path), partial);
            // The copy's header still names the dropped file before it (same folder), so a safe
            // rebase can read the old chain and copy in whatever the new backing lacks.
            await QemuImg.RebaseAsync(partial, backingName, ct, unsafeHeaderOnly: !foldDropped);
        }, ct);
    }

    /// <summary>
    /// Makes one new file beside the point's own file (the last of <paramref name="files"/>, its
    /// chain): written as .partial, proved equal in content to that chain, fsync'ed, hashed, renamed.
    /// </summary>
    private async Task<RepositoryFile> WriteAsync(IReadOnlyList<RepositoryFile> files, string name, string? backing,
        Func<string, Task> write, CancellationToken ct)
    {
        var own = files[^1];
        var relative = Path.Combine(Path.GetDirectoryName(own.Path)!, name);
        // The new file cannot hold more than the point's whole chain.
        var bytesNeeded = files.Sum(f => f.Size);
        var written = await new RepositoryFileWriter(layout.Resolve(relative)).WriteByToolAsync(bytesNeeded, async (partial, token) =>
        {
            await write(partial);
            if (!await QemuImg.CompareAsync(partial, layout.Resolve(own.Path), token, forceShare: false))
                throw new FibackupException(ErrorReason.InternalError,
                    $"prune: the new file {relative} does not have the content of {own.Path}; no restore point was changed (please report this as a bug)");
        }, ct);
        _dataBytes[relative] = written.DataBytes;
        return new RepositoryFile { Path = relative, Size = written.FileLength, Sha256 = written.Sha256, Backing = backing };
    }

    private async Task EnsureIntactAsync(IEnumerable<RepositoryFile> files, CancellationToken ct)
    {
        foreach (var file in files)
        {
            var path = layout.Resolve(file.Path);
            if (!_verified.TryGetValue(file.Path, out var digest))
            {
                if (!File.Exists(path))
                    throw new FibackupException(ErrorReason.RepositoryCorrupt,
                        $"prune: {path} is missing; verify the repository (no restore point was changed)");
                digest = await FileDigest.OfFileAsync(path, ct);
                _verified[file.Path] = digest;
            }
            if (digest.Size != file.Size || !digest.Matches(file.Sha256))
                throw new FibackupException(ErrorReason.RepositoryCorrupt,
                    $"prune: {path} does not match its manifest (size or SHA-256 differs); prune will not build new files from a damaged one; verify the repository");
        }
    }
}
