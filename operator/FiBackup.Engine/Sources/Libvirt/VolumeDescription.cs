using System.Globalization;
using System.Xml.Linq;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// What libvirt's volume XML (virStorageVolGetXMLDesc) says of one image file: its format, the size
/// it presents (<c>&lt;capacity&gt;</c>, a qcow2's virtual size), the bytes it occupies
/// (<c>&lt;allocation&gt;</c>), the file's length (<c>&lt;physical&gt;</c>) and its backing image
/// (<c>&lt;backingStore&gt;</c>, as libvirt probed it from the header).
/// </summary>
internal sealed record VolumeDescription(
    string Format, long Capacity, long Allocation, long Physical, string? BackingPath, string? BackingFormat)
{
    /// <exception cref="InvalidDataException">The XML lacks a field fibackup needs.</exception>
    public static VolumeDescription Parse(string xml)
    {
        var volume = XDocument.Parse(xml).Root ?? throw new InvalidDataException("empty volume XML");
        var target = volume.Element("target");
        var format = target?.Element("format")?.Attribute("type")?.Value
                     ?? throw new InvalidDataException("the volume XML names no <target><format>");
        var capacity = Bytes(volume, "capacity") ?? throw new InvalidDataException("the volume XML has no <capacity>");
        var allocation = Bytes(volume, "allocation") ?? 0;
        // <physical> is missing from older daemons; the allocation is then the best guess of the length.
        var physical = Bytes(volume, "physical") ?? allocation;
        var backing = volume.Element("backingStore");
        var backingPath = backing?.Element("path")?.Value is { Length: > 0 } path ? path : null;
        return new VolumeDescription(format, capacity, allocation, physical, backingPath,
            backing?.Element("format")?.Attribute("type")?.Value);
    }

    /// <summary>A size element in bytes; libvirt writes unit='bytes', other units are converted.</summary>
    private static long? Bytes(XElement volume, string name)
    {
        if (volume.Element(name) is not { } element) return null;
        var value = long.Parse(element.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        var multiplier = (element.Attribute("unit")?.Value ?? "bytes") switch
        {
            "bytes" or "b" or "B" => 1L,
            "KiB" or "K" or "k" => 1L << 10,
            "MiB" or "M" => 1L << 20,
            "GiB" or "G" => 1L << 30,
            "TiB" or "T" => 1L << 40,
            var unit => throw new InvalidDataException($"volume XML <{name}> has an unknown unit \"{unit}\""),
        };
        return checked(value * multiplier);
    }
}
