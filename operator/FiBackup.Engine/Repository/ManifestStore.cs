using System.Text.Json;

namespace FiBackup.Engine.Repository;

/// <summary>Reads and writes the restore point manifests of one domain.</summary>
public sealed class ManifestStore(DomainLayout layout)
{
    public DomainLayout Layout { get; } = layout;

    /// <summary>All restore points of the domain, oldest first. A manifest that cannot be read is an error naming its file.</summary>
    public IReadOnlyList<RestorePointManifest> List()
    {
        if (!Directory.Exists(Layout.PointsDirectory)) return [];
        var manifests = new List<RestorePointManifest>();
        foreach (var file in Directory.EnumerateFiles(Layout.PointsDirectory, "*.json"))
        {
            if (!RestorePointId.TryParse(Path.GetFileNameWithoutExtension(file), out _)) continue;
            manifests.Add(Read(file));
        }
        return manifests.OrderBy(m => m.Time).ToList();
    }

    public RestorePointManifest? Find(RestorePointId id)
    {
        var path = Layout.ManifestPath(id);
        return File.Exists(path) ? Read(path) : null;
    }

    public async Task WriteAsync(RestorePointManifest manifest, CancellationToken ct, bool replaceExisting = false)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, RepositoryJson.Options);
        await AtomicFile.WriteAllBytesAsync(Layout.ManifestPath(manifest.PointId), bytes, ct, replaceExisting);
    }

    public void Delete(RestorePointId id)
    {
        File.Delete(Layout.ManifestPath(id));
        AtomicFile.SyncDirectory(Layout.PointsDirectory);
    }

    /// <summary>Reads one manifest file; an unreadable one is an <see cref="InvalidDataException"/> naming it.</summary>
    public static RestorePointManifest Read(string path)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<RestorePointManifest>(File.ReadAllBytes(path), RepositoryJson.Options)
                           ?? throw new InvalidDataException("empty document");
            if (manifest.FormatVersion > RestorePointManifest.CurrentFormatVersion)
                throw new InvalidDataException(
                    $"format version {manifest.FormatVersion} is newer than this fibackup understands ({RestorePointManifest.CurrentFormatVersion}); upgrade fibackup");
            return manifest;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"restore point manifest {path} is unreadable: {e.Message}", e);
        }
    }
}
