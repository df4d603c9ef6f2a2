using FiBackup.Engine.Repository;
using FiBackup.Engine.Verify;
using Xunit;

namespace FiBackup.Testing.Repositories;

/// <summary>Assertions on what a restore point gives back, compared with what the guest had written.</summary>
public static class RestorePointAssert
{
    /// <summary>
    /// Every restore point the domain's manifests list now reads, disk by disk through its chain of
    /// repository files, exactly as the disk was when the point was taken.
    /// </summary>
    public static async Task EveryPointRestoresExactlyAsync(SyntheticDomain domain)
    {
        var points = new ManifestStore(domain.Layout).List();
        Assert.NotEmpty(points);
        foreach (var point in points) await RestoresExactlyAsync(domain, point);
    }

    public static async Task RestoresExactlyAsync(SyntheticDomain domain, RestorePointManifest point)
    {
        foreach (var disk in point.Disks)
        {
            var top = domain.Layout.Resolve(disk.Files[^1].Path);
            Assert.True(await QemuTools.SameContentAsync(top, domain.ExpectedImage(point.Id, disk.Target)),
                $"restore point {point.Id} disk {disk.Target} ({top}) does not have the content the guest had written");
        }
    }

    /// <summary>The repository verifies intact (every file, every point).</summary>
    public static async Task VerifiesAsync(SyntheticDomain domain)
    {
        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, null, CancellationToken.None);
        Assert.True(report.Intact, $"verify found: {string.Join("; ", report.Points.SelectMany(p => p.Problems))}");
    }

    /// <summary>Every file under the domain's chains/ folder, relative to the domain directory.</summary>
    public static IReadOnlyList<string> ChainFiles(SyntheticDomain domain)
    {
        var chains = Path.Combine(domain.Layout.Directory, DomainLayout.ChainsFolder);
        return Directory.Exists(chains)
            ? Directory.EnumerateFiles(chains, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(domain.Layout.Directory, f)).Order(StringComparer.Ordinal).ToList()
            : [];
    }
}
