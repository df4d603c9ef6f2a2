using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Verify;

/// <summary>
/// Proves that restore points can be restored: every file a manifest lists exists, has the recorded
/// size and SHA-256, passes `qemu-img check`, names in its header the backing file the manifest
/// records, and each disk's files are listed full image first, each backed by the one before.
/// A file shared by many points is read once.
/// </summary>
public sealed class RepositoryVerifier
{
    public Task<VerificationReport> VerifyAsync(DomainLayout layout, RestorePointId? onlyPoint, CancellationToken ct) =>
        EngineBoundary.RunAsync($"verification of {layout.Host}/{layout.Domain}", ct, () => VerifyCoreAsync(layout, onlyPoint, ct));

    private static async Task<VerificationReport> VerifyCoreAsync(DomainLayout layout, RestorePointId? onlyPoint, CancellationToken ct)
    {
        var facts = new Dictionary<string, ImageFacts>(StringComparer.Ordinal);
        var points = new List<PointVerification>();
        foreach (var (manifestPath, id) in ManifestFiles(layout, onlyPoint))
        {
            RestorePointManifest manifest;
            try
            {
                manifest = ManifestStore.Read(manifestPath);
            }
            catch (InvalidDataException e)
            {
                var relative = Path.GetRelativePath(layout.Directory, manifestPath);
                points.Add(new PointVerification(id, 0, [new VerificationProblem(ProblemKind.ManifestUnreadable, relative, manifestPath, e.Message)]));
                continue;
            }
            points.Add(await VerifyPointAsync(layout, manifest, facts, ct));
        }
        return new VerificationReport(layout, points, facts.Count);
    }

    private static IEnumerable<(string Path, string Id)> ManifestFiles(DomainLayout layout, RestorePointId? onlyPoint)
    {
        if (onlyPoint is { } point)
        {
            var path = layout.ManifestPath(point);
            if (!File.Exists(path))
                throw new InvalidInputException(
                    $"restore point {point} of {layout.Host}/{layout.Domain} does not exist (no {path}); listing the repository shows the points",
                    EngineField.Point, reason: ErrorReason.PointNotFound);
            return [(path, point.ToString())];
        }
        if (!System.IO.Directory.Exists(layout.PointsDirectory)) return [];
        return System.IO.Directory.EnumerateFiles(layout.PointsDirectory, "*.json")
            .Select(path => (Path: path, Id: Path.GetFileNameWithoutExtension(path)))
            .Where(x => RestorePointId.TryParse(x.Id, out _))
            .OrderBy(x => x.Id, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<PointVerification> VerifyPointAsync(DomainLayout layout, RestorePointManifest manifest,
        Dictionary<string, ImageFacts> facts, CancellationToken ct)
    {
        var problems = new List<VerificationProblem>();
        var files = 0;
        foreach (var disk in manifest.Disks)
        {
            problems.AddRange(ChainOrderProblems(layout, manifest, disk));
            foreach (var file in disk.Files)
            {
                files++;
                string fullPath;
                try
                {
                    fullPath = layout.Resolve(file.Path);
                }
                catch (InvalidDataException e)
                {
                    problems.Add(new VerificationProblem(ProblemKind.ChainOrder, file.Path, file.Path, e.Message));
                    continue;
                }
                if (!facts.TryGetValue(file.Path, out var actual))
                {
                    actual = await ImageFacts.ReadAsync(fullPath, ct);
                    facts[file.Path] = actual;
                }
                problems.AddRange(FileProblems(file, fullPath, actual));
            }
        }
        return new PointVerification(manifest.Id, files, problems);
    }

    private static IEnumerable<VerificationProblem> FileProblems(RepositoryFile file, string fullPath, ImageFacts actual)
    {
        if (!actual.Exists)
        {
            yield return new(ProblemKind.Missing, file.Path, fullPath, "missing");
            yield break;
        }
        var digest = actual.Digest!;
        if (digest.Size != file.Size)
            yield return new(ProblemKind.SizeDiffers, file.Path, fullPath, $"size differs: manifest {file.Size} bytes, file {digest.Size} bytes");
        if (!digest.Matches(file.Sha256))
            yield return new(ProblemKind.Sha256Differs, file.Path, fullPath, $"SHA-256 differs: manifest {file.Sha256}, file {digest.Sha256}");
        if (actual.CheckFailure is { } failure)
        {
            yield return new(ProblemKind.Corrupt, file.Path, fullPath, $"qemu-img check reports corruption: {failure}");
            yield break;
        }
        if (!string.Equals(actual.HeaderBacking, file.Backing, StringComparison.Ordinal))
            yield return new(ProblemKind.BackingDiffers, file.Path, fullPath,
                $"backing file in the image header is {Quote(actual.HeaderBacking)}, the manifest records {Quote(file.Backing)}");
    }

    /// <summary>A disk's files must form a chain by the manifest alone: a full image, then each file backed by the one listed before it, in one folder.</summary>
    private static IEnumerable<VerificationProblem> ChainOrderProblems(DomainLayout layout, RestorePointManifest manifest, DiskManifest disk)
    {
        if (disk.Files.Count == 0)
        {
            var manifestPath = layout.ManifestPath(manifest.PointId);
            yield return new(ProblemKind.ChainOrder, Path.GetRelativePath(layout.Directory, manifestPath), manifestPath,
                $"disk {disk.Target} lists no files");
            yield break;
        }
        for (var i = 0; i < disk.Files.Count; i++)
        {
            var file = disk.Files[i];
            var fullPath = Path.Combine(layout.Directory, file.Path);
            if (i == 0)
            {
                if (file.Backing is not null)
                    yield return new(ProblemKind.ChainOrder, file.Path, fullPath,
                        $"listed first for disk {disk.Target} of point {manifest.Id}, so it must be a full image, but the manifest records backing file {Quote(file.Backing)}");
                continue;
            }
            var previous = disk.Files[i - 1];
            var expectedBacking = Path.GetFileName(previous.Path);
            if (Path.GetDirectoryName(previous.Path) != Path.GetDirectoryName(file.Path) || file.Backing != expectedBacking)
                yield return new(ProblemKind.ChainOrder, file.Path, fullPath,
                    $"not listed in chain order for disk {disk.Target} of point {manifest.Id}: it follows {previous.Path} but its recorded backing file is {Quote(file.Backing)}");
            if (disk.Files.Take(i).Any(f => f.Path == file.Path))
                yield return new(ProblemKind.ChainOrder, file.Path, fullPath,
                    $"listed twice for disk {disk.Target} of point {manifest.Id}");
        }
    }

    private static string Quote(string? name) => name is null ? "none" : $"\"{name}\"";
}
