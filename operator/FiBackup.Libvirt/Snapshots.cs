using System.Security;
using System.Text;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

public sealed partial class Domain
{
    /// <summary>
    /// Creates a snapshot from <paramref name="snapshotXml"/> (see <see cref="ExternalSnapshot"/>).
    /// With <see cref="SnapshotCreateFlags.DiskOnly"/> on a running domain, QEMU switches each listed
    /// disk to a new overlay whose backing file is the old image; with <see cref="SnapshotCreateFlags.Atomic"/>
    /// either every disk switches or none does. The returned snapshot object is freed at once: with
    /// <see cref="SnapshotCreateFlags.NoMetadata"/> libvirt keeps nothing to refer to.
    /// </summary>
    public void CreateSnapshot(string snapshotXml, SnapshotCreateFlags flags)
    {
        using var snapshot = LibvirtException.Check(
            NativeMethods.virDomainSnapshotCreateXML(Handle, snapshotXml, (uint)flags), "virDomainSnapshotCreateXML");
    }
}

/// <summary>virDomainSnapshotCreateFlags.</summary>
[Flags]
public enum SnapshotCreateFlags : uint
{
    None = 0,
    Redefine = 1 << 0,
    Current = 1 << 1,
    NoMetadata = 1 << 2,
    Halt = 1 << 3,
    DiskOnly = 1 << 4,
    /// <summary>Use existing overlay files (created beforehand, e.g. with qemu-img) instead of failing on them.</summary>
    ReuseExternal = 1 << 5,
    /// <summary>Freeze guest filesystems through the guest agent around the snapshot.</summary>
    Quiesce = 1 << 6,
    Atomic = 1 << 7,
    Live = 1 << 8,
    Validate = 1 << 9,
}

/// <summary>
/// The XML of an external disk-only snapshot. Every disk not given an overlay is listed with
/// <c>snapshot='no'</c>; otherwise libvirt would snapshot it too and invent the file name.
/// </summary>
public sealed record ExternalSnapshot(string Name, IReadOnlyDictionary<string, string> Overlays, IReadOnlyCollection<string> SkippedDisks)
{
    public ExternalSnapshot(string name, IReadOnlyDictionary<string, string> overlays)
        : this(name, overlays, []) { }

    public string ToXml()
    {
        var xml = new StringBuilder();
        xml.Append("<domainsnapshot><name>").Append(SecurityElement.Escape(Name)).Append("</name><disks>");
        foreach (var (target, overlay) in Overlays)
        {
            xml.Append("<disk name='").Append(SecurityElement.Escape(target)).Append("' snapshot='external'>")
               .Append("<driver type='qcow2'/><source file='").Append(SecurityElement.Escape(overlay)).Append("'/></disk>");
        }
        foreach (var target in SkippedDisks)
            xml.Append("<disk name='").Append(SecurityElement.Escape(target)).Append("' snapshot='no'/>");
        return xml.Append("</disks></domainsnapshot>").ToString();
    }
}
