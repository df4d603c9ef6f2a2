using FiBackup.Engine.Tools;
using FiBackup.Libvirt;
using FiBackup.Testing.Libvirt;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A domain a test has fibackup define by restoring (named with the fibt- prefix the suite checks
/// for leftovers): destroyed and undefined on dispose, also when the test failed before defining it.
/// </summary>
public sealed class RestoredDomain(LibvirtConnection connection, string name) : IAsyncDisposable
{
    public string Name { get; } = name.StartsWith(LibvirtFixture.NamePrefix, StringComparison.Ordinal)
        ? name
        : throw new ArgumentException($"restored test domains are named {LibvirtFixture.NamePrefix}...; {name} is not", nameof(name));

    public Domain Lookup() => connection.TryLookupDomain(Name) ?? throw new XunitException($"domain {Name} is not defined");

    /// <summary>
    /// Fails unless <paramref name="domain"/> has exactly the disks <paramref name="targets"/>, each on an
    /// image in <paramref name="targetDirectory"/> whose content is what the guest had at <paramref name="pointId"/>.
    /// </summary>
    public static async Task AssertDisksRestoredAsync(BackupScenario scenario, Domain domain, string pointId,
        string targetDirectory, params string[] targets)
    {
        var disks = FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(domain.GetXml(DomainXmlFlags.Inactive))
            .Where(d => d.Device == "disk").ToList();
        Assert.Equal(targets.Order(), disks.Select(d => d.Target).Order());
        foreach (var disk in disks)
        {
            Assert.StartsWith(Path.GetFullPath(targetDirectory) + "/", disk.ActivePath);
            // Force-share (-U): a domain restored with --start holds its images open.
            Assert.True(await QemuImg.CompareAsync(disk.ActivePath!, scenario.Expected(disk.Target).PointImage(pointId), CancellationToken.None),
                $"{domain.Name}: disk {disk.Target} ({disk.ActivePath}) differs from what the guest had at point {pointId}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            connection.RemoveDomain(Name);
        }
        catch (LibvirtException e)
        {
            await Console.Error.WriteLineAsync($"RestoredDomain: could not remove {Name}: {e.Message}");
        }
    }
}
