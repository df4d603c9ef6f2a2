using System.Security;
using System.Text;

namespace FiBackup.Libvirt;

/// <summary>
/// The XML of a push-mode backup: each listed disk is written by QEMU into a new qcow2 file
/// (which libvirt creates and must not exist yet); every other disk is listed with backup='no'.
/// With <see cref="IncrementalFrom"/> only the clusters written since that checkpoint are copied.
/// </summary>
public sealed record PushBackup(IReadOnlyDictionary<string, string> Targets, IReadOnlyCollection<string> SkippedDisks, string? IncrementalFrom)
{
    public string ToXml()
    {
        var xml = new StringBuilder("<domainbackup mode='push'>");
        if (IncrementalFrom is not null)
            xml.Append("<incremental>").Append(SecurityElement.Escape(IncrementalFrom)).Append("</incremental>");
        xml.Append("<disks>");
        foreach (var (target, file) in Targets)
            xml.Append("<disk name='").Append(SecurityElement.Escape(target)).Append("' backup='yes' type='file'><driver type='qcow2'/><target file='")
               .Append(SecurityElement.Escape(file)).Append("'/></disk>");
        foreach (var target in SkippedDisks)
            xml.Append("<disk name='").Append(SecurityElement.Escape(target)).Append("' backup='no'/>");
        return xml.Append("</disks></domainbackup>").ToString();
    }
}
