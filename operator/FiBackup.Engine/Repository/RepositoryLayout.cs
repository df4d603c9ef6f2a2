using System.Text.RegularExpressions;

namespace FiBackup.Engine.Repository;

/// <summary>
/// Where things live in a repository (docs/repository-format.md):
/// <code>
/// &lt;root&gt;/&lt;host&gt;/&lt;domain&gt;/
///   chains/&lt;chainId&gt;/&lt;target&gt;/000-full.qcow2, 001-&lt;pointId&gt;.qcow2, ...
///   points/&lt;pointId&gt;.json
///   journal/&lt;operation&gt;.json
/// </code>
/// Paths recorded in manifests are relative to the domain directory, so a repository works
/// wherever it is mounted.
/// </summary>
public sealed class RepositoryLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folders are the names encoded (<see cref="RepositoryName"/>); the layout keeps the real names.</summary>
    public DomainLayout ForDomain(string host, string domain) =>
        new(Path.Combine(Root, RepositoryName.Encode("host", host), RepositoryName.Encode("domain", domain)), host, domain);

    /// <summary>The (host, domain) directories matching a domain name and a host; null matches any.</summary>
    public IEnumerable<DomainLayout> Domains(string? domain, string? host) =>
        Domains().Where(d => (domain is null || d.Domain == domain) && (host is null || d.Host == host));

    /// <summary>Every (host, domain) that has a directory in the repository.</summary>
    public IEnumerable<DomainLayout> Domains()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var hostDir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        foreach (var domainDir in Directory.EnumerateDirectories(hostDir).Order(StringComparer.Ordinal))
        {
            if (Directory.Exists(Path.Combine(domainDir, DomainLayout.PointsFolder)))
                yield return new DomainLayout(domainDir, RepositoryName.Decode(Path.GetFileName(hostDir)), RepositoryName.Decode(Path.GetFileName(domainDir)));
        }
    }
}

/// <summary>The part of a repository that belongs to one domain of one host.</summary>
public sealed partial record DomainLayout(string Directory, string Host, string Domain)
{
    public const string ChainsFolder = "chains";
    public const string PointsFolder = "points";
    public const string JournalFolder = "journal";

    public string PointsDirectory => Path.Combine(Directory, PointsFolder);
    public string JournalDirectory => Path.Combine(Directory, JournalFolder);
    public string LockFile => Path.Combine(Directory, ".lock");

    public string ManifestPath(RestorePointId id) => Path.Combine(PointsDirectory, $"{id}.json");

    /// <summary>Relative (to <see cref="Directory"/>) folder holding one disk's files of one chain.</summary>
    public static string RelativeChainDiskFolder(string chainId, string target) =>
        Path.Combine(ChainsFolder, SafeName.Validate("chain", chainId), SafeName.Validate("disk target", target));

    /// <summary>File name of the n-th file of a chain: 000-full.qcow2, then 001-&lt;pointId&gt;.qcow2, ...</summary>
    public static string ChainFileName(int sequence, RestorePointId point) =>
        sequence == 0 ? "000-full.qcow2" : $"{sequence:000}-{point}.qcow2";

    /// <summary>The new full a prune writes for the point that starts the remaining chain: 000-full-&lt;pointId&gt;.p&lt;pruneId&gt;.qcow2.</summary>
    public static string PrunedFullFileName(string point, string pruneId) => $"000-full-{point}.p{pruneId}.qcow2";

    /// <summary>The rebased file a prune writes in place of the n-th file of a chain: &lt;seq&gt;-&lt;pointId&gt;.p&lt;pruneId&gt;.qcow2.</summary>
    public static string PrunedChainFileName(int sequence, string point, string pruneId) => $"{sequence:000}-{point}.p{pruneId}.qcow2";

    /// <summary>
    /// Whether a file name is one fibackup writes into a chain folder (<see cref="ChainFileName"/>,
    /// <see cref="PrunedFullFileName"/>, <see cref="PrunedChainFileName"/>), maybe as its .partial
    /// (or the .trim.partial of a bitmap incremental, Backup.Steps.DirtyBlockTrim).
    /// </summary>
    public static bool IsChainFileName(string name) => ChainFileNamePattern().IsMatch(name);

    [GeneratedRegex(@"^(?:000-full(?:-\d{8}T\d{6}Z\.p\d{8}T\d{6}Z)?|\d{3,}-\d{8}T\d{6}Z(?:\.p\d{8}T\d{6}Z)?)\.qcow2(?:(?:\.trim)?\.partial)?$")]
    private static partial Regex ChainFileNamePattern();

    /// <summary>Resolves a manifest-relative path, refusing anything that would leave the domain directory.</summary>
    public string Resolve(string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(Directory, relativePath));
        var root = Path.GetFullPath(Directory) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw new InvalidDataException($"repository path \"{relativePath}\" points outside {Directory}");
        return full;
    }
}
