using System.Xml.Linq;

namespace FiBackup.Engine.Restore;

/// <summary>
/// Turns the domain XML saved in a restore point into the XML to define for a restore (pure
/// XML, no libvirt). Restored disks point at their restored image (type file, driver qcow2, no
/// &lt;backingStore&gt;: libvirt reads the chain from the qcow2 headers). Live-only state the
/// saved XML may carry (aliases, the domain id, source indexes, generated security labels, vnet
/// names, autoport ports) is stripped.
/// A new domain also gets the new name, no UUID (libvirt makes one), fresh MAC addresses, no
/// NVRAM path of the old domain, and only the restored disks: two domains never share an image.
/// cdrom and floppy devices are left as they are.
/// </summary>
public sealed class DomainXmlRewriter(Random random)
{
    public DomainXmlRewriter() : this(Random.Shared) { }

    /// <param name="restoredImages">disk target (vda) → path of the image the domain should use.</param>
    public string Rewrite(string savedXml, RestoreMode mode, IReadOnlyDictionary<string, string> restoredImages) => mode switch
    {
        RestoreMode.NewDomain newDomain => ForNewDomain(savedXml, newDomain.Name, restoredImages),
        RestoreMode.InPlace => ForInPlace(savedXml, restoredImages),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown restore mode"),
    };

    public string ForNewDomain(string savedXml, string newName, IReadOnlyDictionary<string, string> restoredImages)
    {
        var domain = Parse(savedXml);
        var name = domain.Element("name") ?? new XElement("name");
        if (name.Parent is null) domain.AddFirst(name);
        name.Value = newName;
        domain.Element("uuid")?.Remove();
        RenewMacAddresses(domain);
        ForgetNvramPath(domain);
        RewriteDisks(domain, restoredImages, removeOthers: true);
        StripLiveState(domain);
        return domain.ToString();
    }

    public string ForInPlace(string savedXml, IReadOnlyDictionary<string, string> restoredImages)
    {
        var domain = Parse(savedXml);
        RewriteDisks(domain, restoredImages, removeOthers: false);
        StripLiveState(domain);
        return domain.ToString();
    }

    private static XElement Parse(string xml)
    {
        var domain = XDocument.Parse(xml).Root;
        if (domain?.Name != "domain")
            throw new InvalidDataException($"the saved domain XML has root <{domain?.Name}>, not <domain>");
        return domain;
    }

    private static void RewriteDisks(XElement domain, IReadOnlyDictionary<string, string> restoredImages, bool removeOthers)
    {
        var devices = domain.Element("devices");
        var found = new HashSet<string>();
        foreach (var disk in devices?.Elements("disk").ToList() ?? [])
        {
            var device = (string?)disk.Attribute("device") ?? "disk";
            if (device is "cdrom" or "floppy") continue;
            var target = (string?)disk.Element("target")?.Attribute("dev");
            if (target is not null && restoredImages.TryGetValue(target, out var image))
            {
                found.Add(target);
                PointAt(disk, image);
            }
            else if (removeOthers)
            {
                disk.Remove();
            }
        }
        var missing = restoredImages.Keys.Where(t => !found.Contains(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"the saved domain XML has no disk with target {string.Join(", ", missing)}; cannot attach the restored image");
    }

    private static void PointAt(XElement disk, string image)
    {
        if ((string?)disk.Attribute("type") is "network")
            disk.Elements("auth").Remove(); // credentials of the old network source mean nothing for a file
        disk.SetAttributeValue("type", "file");
        var driver = disk.Element("driver");
        if (driver is null)
        {
            driver = new XElement("driver", new XAttribute("name", "qemu"));
            disk.AddFirst(driver);
        }
        driver.SetAttributeValue("type", "qcow2");
        disk.Elements("backingStore").Remove();
        disk.Elements("mirror").Remove(); // a block job of the old domain
        var source = new XElement("source", new XAttribute("file", image));
        if (disk.Element("source") is { } old) old.ReplaceWith(source);
        else driver.AddAfterSelf(source);
    }

    private void RenewMacAddresses(XElement domain)
    {
        var interfaces = domain.Element("devices")?.Elements("interface").ToList() ?? [];
        var used = interfaces.Select(i => ((string?)i.Element("mac")?.Attribute("address"))?.ToLowerInvariant()).ToHashSet();
        foreach (var @interface in interfaces)
        {
            var mac = @interface.Element("mac");
            if (mac is null)
            {
                mac = new XElement("mac");
                @interface.AddFirst(mac);
            }
            string address;
            do address = NewMacAddress(); while (!used.Add(address));
            mac.SetAttributeValue("address", address);
        }
    }

    /// <summary>A locally administered address in QEMU's 52:54:00 prefix, as libvirt generates them.</summary>
    private string NewMacAddress()
    {
        Span<byte> tail = stackalloc byte[3];
        random.NextBytes(tail);
        return $"52:54:00:{tail[0]:x2}:{tail[1]:x2}:{tail[2]:x2}";
    }

    /// <summary>The old domain's UEFI variables file must not be shared: without a path libvirt makes one from the new name.</summary>
    private static void ForgetNvramPath(XElement domain)
    {
        if (domain.Element("os")?.Element("nvram") is not { } nvram) return;
        if (nvram.Attribute("template") is null) nvram.Remove();
        else nvram.Nodes().Remove();
    }

    private static void StripLiveState(XElement domain)
    {
        domain.Attribute("id")?.Remove();
        domain.Descendants("alias").Remove();
        foreach (var element in domain.Descendants().Where(e => e.Name == "source" || e.Name == "backingStore"))
            element.Attribute("index")?.Remove();
        foreach (var seclabel in domain.Elements("seclabel").Where(s => (string?)s.Attribute("type") == "dynamic"))
        {
            seclabel.Elements("label").Remove();
            seclabel.Elements("imagelabel").Remove();
        }
        var devices = domain.Element("devices");
        if (devices is null) return;
        foreach (var target in devices.Elements("interface").Elements("target").ToList())
        {
            if (((string?)target.Attribute("dev"))?.StartsWith("vnet", StringComparison.Ordinal) == true) target.Remove();
        }
        foreach (var graphics in devices.Elements("graphics").Where(g => (string?)g.Attribute("autoport") == "yes"))
        {
            graphics.Attribute("port")?.Remove();
            graphics.Attribute("tlsPort")?.Remove();
            graphics.Attribute("websocket")?.Remove();
        }
        foreach (var channelTarget in devices.Elements("channel").Elements("target"))
            channelTarget.Attribute("state")?.Remove();
    }
}
