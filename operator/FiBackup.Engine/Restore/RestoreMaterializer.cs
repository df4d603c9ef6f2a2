using System.Text.RegularExpressions;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Restore;

/// <summary>
/// The file part of a restore: puts a restore point's disk images into a target directory.
/// <list type="bullet">
/// <item>chain (default): each repository file of the disk is copied as
///   <c>&lt;stem&gt;-&lt;target&gt;-000-full.qcow2</c>, <c>&lt;stem&gt;-&lt;target&gt;-001-&lt;pointId&gt;.qcow2</c>, …,
///   and its header's backing name set to the restored file before it (header only, content
///   identical), so the chain lives entirely in the target directory;</item>
/// <item>flattened: one self-contained <c>&lt;stem&gt;-&lt;target&gt;.qcow2</c> (`qemu-img convert`).</item>
/// </list>
/// Every repository file is checked against its manifest SHA-256 as it is read. Nothing in the
/// target directory is ever overwritten; on failure every file (and the directory, if it made
/// it) this restore created is removed.
/// </summary>
public sealed partial class RestoreMaterializer
{
    public Task<IReadOnlyList<RestoredDisk>> MaterializeAsync(DomainLayout layout, RestorePlan plan,
        IProgress<RestoreProgress>? progress, CancellationToken ct) =>
        MaterializeAsync(layout, plan.Point, plan.Disks, plan.TargetDirectory, plan.FileStem, plan.Flatten, progress, ct);

    public async Task<IReadOnlyList<RestoredDisk>> MaterializeAsync(DomainLayout layout, RestorePointManifest point,
        IReadOnlyList<string>? diskTargets, string targetDirectory, string fileStem, bool flatten,
        IProgress<RestoreProgress>? progress, CancellationToken ct)
    {
        var directory = ValidateDirectory(targetDirectory);
        SafeName.Validate("file stem", fileStem);
        var disks = SelectDisks(point, diskTargets);
        var work = disks.Select(disk => (Disk: disk, Names: FileNames(disk, fileStem, flatten))).ToList();
        foreach (var name in work.SelectMany(w => w.Names))
        {
            var path = Path.Combine(directory, name);
            foreach (var existing in new[] { path, AtomicFile.PartialPathFor(path) })
            {
                if (File.Exists(existing) || Directory.Exists(existing))
                    throw new InvalidInputException(
                        $"{existing} already exists; a restore never overwrites a file: choose another target directory or name, or move it away",
                        EngineField.TargetDirectory);
            }
        }

        var createdDirectory = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        if (createdDirectory) AtomicFile.SyncDirectory(Path.GetDirectoryName(directory)!);
        var created = new List<string>();
        var total = work.Sum(w => w.Disk.Files.Sum(f => f.Size));
        long done = 0;
        try
        {
            var restored = new List<RestoredDisk>();
            foreach (var (disk, names) in work)
            {
                void Advanced(string file, long bytes)
                {
                    done += bytes;
                    progress?.Report(new RestoreProgress(disk.Target, file, done, total));
                }
                restored.Add(flatten
                    ? await FlattenAsync(layout, disk, Path.Combine(directory, names[0]), created, Advanced, ct)
                    : await CopyChainAsync(layout, disk, directory, names, created, Advanced, ct));
            }
            return restored;
        }
        catch
        {
            RemoveCreated(created, createdDirectory ? directory : null);
            throw;
        }
    }

    private static async Task<RestoredDisk> CopyChainAsync(DomainLayout layout, DiskManifest disk, string directory,
        IReadOnlyList<string> names, List<string> created, Action<string, long> advanced, CancellationToken ct)
    {
        var files = new List<string>();
        for (var i = 0; i < disk.Files.Count; i++)
        {
            var source = layout.Resolve(disk.Files[i].Path);
            if (i == 0 && disk.Files[0].Backing is not null)
                throw new InvalidDataException($"{disk.Files[0].Path} is listed first for disk {disk.Target} but is not a full image; verify the repository");
            var final = Path.Combine(directory, names[i]);
            created.Add(final);
            await VerifiedCopy.CopyAsync(source, disk.Files[i], final, bytes => advanced(source, bytes), ct);
            // Header only: the restored previous file has exactly the content of the repository one.
            if (i > 0)
            {
                await QemuImg.RebaseAsync(final, names[i - 1], ct, unsafeHeaderOnly: true);
                AtomicFile.SyncFile(final); // the new header, as durable as the copy was
            }
            files.Add(final);
        }
        return new RestoredDisk(disk.Target, files[^1], files) { Bytes = files.Sum(f => new FileInfo(f).Length) };
    }

    private static async Task<RestoredDisk> FlattenAsync(DomainLayout layout, DiskManifest disk, string final,
        List<string> created, Action<string, long> advanced, CancellationToken ct)
    {
        // qemu-img reads the chain itself, so each file is proved intact just before.
        foreach (var file in disk.Files)
        {
            var source = layout.Resolve(file.Path);
            await VerifiedCopy.VerifyAsync(source, file, bytes => advanced(source, bytes), ct);
        }
        // The writer removes its partial file on failure; a file renamed into place before the
        // directory fsync failed is this restore's too (the target was checked to be free).
        created.Add(final);
        await RepositoryFileWriter.ForRestoredFile(final).WriteByToolAsync(disk.Files.Sum(f => f.Size),
            (partial, token) => QemuImg.ConvertAsync(layout.Resolve(disk.Files[^1].Path), partial, token, forceShare: false),
            (_, _) => Task.FromResult(true), ct);
        return new RestoredDisk(disk.Target, final, [final]) { Bytes = new FileInfo(final).Length };
    }

    /// <summary>The names the restored files of one disk get, in chain order (one name when flattened).</summary>
    public static IReadOnlyList<string> FileNames(DiskManifest disk, string fileStem, bool flatten)
    {
        if (flatten) return [$"{fileStem}-{disk.Target}.qcow2"];
        return disk.Files.Select((file, i) =>
        {
            if (i == 0) return $"{fileStem}-{disk.Target}-000-full.qcow2";
            var match = PointOfFile().Match(Path.GetFileName(file.Path));
            var point = match.Success ? match.Groups["id"].Value : Path.GetFileNameWithoutExtension(file.Path);
            return $"{fileStem}-{disk.Target}-{i:000}-{point}.qcow2";
        }).ToList();
    }

    [GeneratedRegex(@"^\d{3}-(?<id>\d{8}T\d{6}Z)")]
    private static partial Regex PointOfFile();

    private static string ValidateDirectory(string targetDirectory)
    {
        if (string.IsNullOrWhiteSpace(targetDirectory))
            throw new InvalidInputException("the target directory must not be empty", EngineField.TargetDirectory);
        if (targetDirectory.Split('/', '\\').Contains(".."))
            throw new InvalidInputException(
                $"target directory \"{targetDirectory}\" contains a '..' component; give the directory without '..'", EngineField.TargetDirectory);
        return Path.GetFullPath(targetDirectory);
    }

    private static IReadOnlyList<DiskManifest> SelectDisks(RestorePointManifest point, IReadOnlyList<string>? targets)
    {
        if (targets is null) return point.Disks;
        if (targets.Count == 0)
            throw new InvalidInputException($"name at least one disk of restore point {point.Id} (it has {DiskList(point)})", EngineField.Disks);
        return targets.Distinct().Select(target =>
            point.Disks.FirstOrDefault(d => d.Target == target)
            ?? throw new InvalidInputException(
                $"restore point {point.Id} of {point.Domain} has no disk \"{target}\" (it has {DiskList(point)})", EngineField.Disks)).ToList();
    }

    private static string DiskList(RestorePointManifest point) => string.Join(", ", point.Disks.Select(d => d.Target));

    private static void RemoveCreated(IEnumerable<string> created, string? createdDirectory)
    {
        foreach (var file in created.Reverse())
        {
            try { File.Delete(file); }
            catch (IOException) { } // best effort: the original error is the one to report
        }
        if (createdDirectory is not null && Directory.Exists(createdDirectory) && !Directory.EnumerateFileSystemEntries(createdDirectory).Any())
            Directory.Delete(createdDirectory);
    }
}
