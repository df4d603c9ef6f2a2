using System.Security;
using System.Text;

namespace FiBackup.Testing.Libvirt;

/// <summary>The XML of a throwaway TCG domain: no guest OS, no graphics, no balloon, virtio disks (qcow2 unless a test asks for raw).</summary>
internal static class TestDomainXml
{
    internal static string Build(string name, IReadOnlyList<TestDisk> disks, string? cdromPath, bool guestAgentChannel)
    {
        var xml = new StringBuilder();
        xml.Append($"""
            <domain type='qemu'>
              <name>{SecurityElement.Escape(name)}</name>
              <memory unit='MiB'>64</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <on_reboot>destroy</on_reboot>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>

            """);
        foreach (var disk in disks)
        {
            xml.Append($"""
                    <disk type='{(disk.BlockDevice ? "block" : "file")}' device='disk'>
                      <driver name='qemu' type='{disk.Format}'/>
                      <source {(disk.BlockDevice ? "dev" : "file")}='{SecurityElement.Escape(disk.Path)}'/>
                      <target dev='{disk.Target}' bus='virtio'/>
                    </disk>

                """);
        }
        if (cdromPath is not null)
        {
            xml.Append($"""
                    <disk type='file' device='cdrom'>
                      <driver name='qemu' type='raw'/>
                      <source file='{SecurityElement.Escape(cdromPath)}'/>
                      <target dev='hdc' bus='ide'/>
                      <readonly/>
                    </disk>

                """);
        }
        if (guestAgentChannel)
        {
            xml.Append("""
                    <channel type='unix'>
                      <target type='virtio' name='org.qemu.guest_agent.0'/>
                    </channel>

                """);
        }
        xml.Append("""
                <memballoon model='none'/>
              </devices>
            </domain>
            """);
        return xml.ToString();
    }
}
