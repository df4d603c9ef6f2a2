using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Restore;

/// <summary>Finds a domain's directory and one of its restore points from what the user typed.</summary>
public static class RestorePointLocator
{
    public static DomainLayout FindDomain(string repositoryRoot, string domain, string? host)
    {
        RepositoryName.Validate(EngineField.Domain, domain);
        if (!Directory.Exists(repositoryRoot))
            throw new InvalidInputException($"repository {repositoryRoot} does not exist", EngineField.Repository);
        var candidates = new RepositoryLayout(repositoryRoot).Domains(domain, host).ToList();
        return candidates.Count switch
        {
            0 => throw new InvalidInputException($"repository {repositoryRoot} has no restore points of domain \"{domain}\"" +
                                                 (host is null ? "" : $" from host \"{host}\""), EngineField.Domain, reason: ErrorReason.PointNotFound),
            1 => candidates[0],
            _ => throw new InvalidInputException(
                $"domain \"{domain}\" was backed up from several hosts ({string.Join(", ", candidates.Select(c => c.Host))}); choose one of them as the host", EngineField.Host),
        };
    }

    public static RestorePointManifest FindPoint(DomainLayout layout, string point, string repositoryRoot)
    {
        var store = new ManifestStore(layout);
        if (point.Equals("latest", StringComparison.OrdinalIgnoreCase))
            return store.List() is { Count: > 0 } all ? all[^1]
                : throw new InvalidInputException($"domain {layout.Domain} has no restore points", EngineField.Point, reason: ErrorReason.PointNotFound);
        if (!RestorePointId.TryParse(point, out var id))
            throw new InvalidInputException($"\"{point}\" is not a restore point id (yyyyMMddTHHmmssZ, e.g. 20261127T020000Z) or \"latest\"", EngineField.Point);
        return store.Find(id) ?? throw new InvalidInputException(
            $"domain {layout.Domain} has no restore point {point} in repository {repositoryRoot}; listing the repository shows them",
            EngineField.Point, reason: ErrorReason.PointNotFound);
    }
}
