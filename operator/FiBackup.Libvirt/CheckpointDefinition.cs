using System.Security;
using System.Text;

namespace FiBackup.Libvirt;

/// <summary>The XML of a checkpoint with a bitmap in each listed disk and none in the others.</summary>
public sealed record CheckpointDefinition(string Name, IReadOnlyCollection<string> Disks, IReadOnlyCollection<string> SkippedDisks)
{
    public string ToXml()
    {
        var xml = new StringBuilder("<domaincheckpoint><name>").Append(SecurityElement.Escape(Name)).Append("</name><disks>");
        foreach (var target in Disks)
            xml.Append("<disk name='").Append(SecurityElement.Escape(target)).Append("' checkpoint='bitmap'/>");
        foreach (var target in SkippedDisks)
            xml.Append("<disk name='").Append(SecurityElement.Escape(target)).Append("' checkpoint='no'/>");
        return xml.Append("</disks></domaincheckpoint>").ToString();
    }
}
