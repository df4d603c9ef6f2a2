using System.Xml.Linq;
using FiBackup.Libvirt;

namespace FiBackup.Testing.Libvirt;

/// <summary>
/// A throwaway domain made by <see cref="LibvirtFixture"/>. Disposing destroys and undefines it and
/// deletes its directory, also after a failed test; it never throws.
/// </summary>
public sealed partial class TestDomain : IAsyncDisposable
{
    private readonly LibvirtFixture fixture;

    internal TestDomain(LibvirtFixture fixture, Domain domain, string directory, IReadOnlyList<TestDisk> disks, string? cdromPath)
    {
        this.fixture = fixture;
        Domain = domain;
        Name = domain.Name;
        Directory = directory;
        Disks = disks;
        CdromPath = cdromPath;
    }

    public string Name { get; }

    public Domain Domain { get; }

    public LibvirtConnection Connection => fixture.Connection;

    /// <summary>The domain's own directory; put overlays and other files of the test here.</summary>
    public string Directory { get; }

    /// <summary>The disks as created (the live chain changes with snapshots: see <see cref="LiveChain"/>).</summary>
    public IReadOnlyList<TestDisk> Disks { get; }

    public string? CdromPath { get; }

    /// <summary>QEMU's log of the domain, where qemu-io prints its results.</summary>
    public string LogPath => LogPathOf(Name);

    internal static string LogPathOf(string name) => $"/var/log/libvirt/qemu/{name}.log";

    public TestDisk Disk(string target) =>
        Disks.SingleOrDefault(d => d.Target == target) ?? throw new ArgumentException($"{Name} has no disk {target}", nameof(target));

    /// <summary>A path for a new file in the domain's directory (deleted with the domain).</summary>
    public string PathIn(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>
    /// The image files of a disk from the active image down to the base, as libvirt reports them
    /// (live XML of a running domain, else the persistent definition).
    /// </summary>
    public IReadOnlyList<string> LiveChain(string target)
    {
        var disk = DiskElement(target);
        var chain = new List<string>();
        for (var node = disk; node?.Element("source")?.Attribute("file")?.Value is { } file; node = node.Element("backingStore"))
            chain.Add(file);
        return chain;
    }

    /// <summary>The device alias QEMU knows the disk by (e.g. virtio-disk0), from the live XML.</summary>
    public string AliasOf(string target) =>
        DiskElement(target).Element("alias")?.Attribute("name")?.Value
            ?? throw new InvalidOperationException($"disk {target} of {Name} has no alias: is the domain running?");

    private XElement DiskElement(string target) =>
        XDocument.Parse(Domain.GetXml()).Root!.Element("devices")!.Elements("disk")
            .SingleOrDefault(d => d.Element("target")?.Attribute("dev")?.Value == target)
            ?? throw new ArgumentException($"{Name} has no disk {target}", nameof(target));

    public async ValueTask DisposeAsync()
    {
        Domain.Dispose();
        await fixture.RemoveAsync(Name);
    }
}
