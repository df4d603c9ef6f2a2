using System.Xml.Linq;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>Reads the disks of a libvirt domain definition and edits their sources.</summary>
public static class DomainXmlDisks
{
    public static IReadOnlyList<DomainDisk> Read(string domainXml)
    {
        var root = XDocument.Parse(domainXml).Root!;
        return root.Element("devices")?.Elements("disk").Select(ReadDisk).ToList() ?? [];
    }

    private static DomainDisk ReadDisk(XElement disk)
    {
        var source = disk.Element("source");
        var type = (string?)disk.Attribute("type") ?? "file";
        var path = type switch
        {
            "file" => (string?)source?.Attribute("file"),
            "block" => (string?)source?.Attribute("dev"),
            _ => null,
        };
        return new DomainDisk(
            Target: (string?)disk.Element("target")?.Attribute("dev") ?? "?",
            Device: (string?)disk.Attribute("device") ?? "disk",
            SourceType: type,
            ActivePath: string.IsNullOrEmpty(path) ? null : path,
            Format: (string?)disk.Element("driver")?.Attribute("type"),
            SnapshotMode: (string?)disk.Attribute("snapshot"),
            ReadOnly: disk.Element("readonly") is not null,
            Shareable: disk.Element("shareable") is not null);
    }

    /// <summary>
    /// The definition with one disk's source replaced by an image file of format
    /// <paramref name="format"/> (qcow2, raw, ...; its old backing chain dropped). The driver type
    /// must be the image's own: QEMU refuses to start a raw image declared qcow2. A block device
    /// (<paramref name="blockDevice"/>, e.g. the LVM volume an offline commit folded into) becomes
    /// &lt;disk type='block'&gt;&lt;source dev=…/&gt;: QEMU's file driver refuses a device.
    /// </summary>
    public static string WithDiskSource(string domainXml, string target, string imagePath, string format, bool blockDevice = false)
    {
        var document = XDocument.Parse(domainXml);
        var disk = document.Root!.Element("devices")?.Elements("disk")
                       .FirstOrDefault(d => (string?)d.Element("target")?.Attribute("dev") == target)
                   ?? throw new ArgumentException($"the domain has no disk {target}");
        disk.SetAttributeValue("type", blockDevice ? "block" : "file");
        disk.Element("backingStore")?.Remove();
        var source = disk.Element("source");
        if (source is null)
        {
            source = new XElement("source");
            disk.Element("target")!.AddBeforeSelf(source);
        }
        source.RemoveAttributes();
        source.SetAttributeValue(blockDevice ? "dev" : "file", imagePath);
        var driver = disk.Element("driver");
        if (driver is null)
        {
            driver = new XElement("driver", new XAttribute("name", "qemu"));
            disk.AddFirst(driver);
        }
        driver.SetAttributeValue("type", format);
        return document.ToString();
    }
}
