using System.Xml.Linq;
using FiBackup.Engine.Restore;

namespace FiBackup.Engine.Tests.Restore;

public class DomainXmlRewriterTests
{
    /// <summary>What `virsh dumpxml` shows for a running domain after a fibackup snapshot: live ids, aliases, a backing chain.</summary>
    private const string SavedXml = """
        <domain type='kvm' id='7'>
          <name>web-1</name>
          <uuid>5e7c1c52-4d0e-4b0a-9d1c-0f7b6a3c2d11</uuid>
          <memory unit='KiB'>1048576</memory>
          <vcpu placement='static'>2</vcpu>
          <os>
            <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
            <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
            <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/var/lib/libvirt/qemu/nvram/web-1_VARS.fd</nvram>
          </os>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2' cache='none' discard='unmap'/>
              <source file='/var/lib/libvirt/images/web-1.fib-20261125T020000Z.qcow2' index='3'>
                <seclabel model='dac' relabel='no'/>
              </source>
              <backingStore type='file' index='2'>
                <format type='qcow2'/>
                <source file='/var/lib/libvirt/images/web-1.fib-20261124T020000Z.qcow2'/>
                <backingStore type='file' index='1'>
                  <format type='qcow2'/>
                  <source file='/var/lib/libvirt/images/web-1.qcow2'/>
                  <backingStore/>
                </backingStore>
              </backingStore>
              <target dev='vda' bus='virtio'/>
              <alias name='virtio-disk0'/>
              <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
            </disk>
            <disk type='block' device='disk'>
              <driver name='qemu' type='raw'/>
              <source dev='/dev/vg0/web-1-data' index='4'/>
              <backingStore/>
              <target dev='vdb' bus='virtio'/>
              <alias name='virtio-disk1'/>
            </disk>
            <disk type='file' device='cdrom'>
              <driver name='qemu' type='raw'/>
              <source file='/var/lib/libvirt/images/debian-12.iso' index='5'/>
              <target dev='sda' bus='sata'/>
              <readonly/>
              <alias name='sata0-0-0'/>
            </disk>
            <interface type='network'>
              <mac address='52:54:00:6b:3c:01'/>
              <source network='default' portid='4d1d2a7e-4a53-4f0e-8d0b-8a8a3b4c5d6e' bridge='virbr0'/>
              <target dev='vnet3'/>
              <model type='virtio'/>
              <alias name='net0'/>
            </interface>
            <interface type='bridge'>
              <mac address='52:54:00:6b:3c:02'/>
              <source bridge='br0'/>
              <target dev='vnet4'/>
              <model type='virtio'/>
              <alias name='net1'/>
            </interface>
            <graphics type='vnc' port='5903' autoport='yes' listen='127.0.0.1'/>
          </devices>
          <seclabel type='dynamic' model='dac' relabel='yes'>
            <label>+64055:+108</label>
            <imagelabel>+64055:+108</imagelabel>
          </seclabel>
        </domain>
        """;

    private static readonly Dictionary<string, string> BothDisks = new()
    {
        ["vda"] = "/srv/restored/web-2-vda-002-20261125T020000Z.qcow2",
        ["vdb"] = "/srv/restored/web-2-vdb.qcow2",
    };

    private static XElement Disk(XElement domain, string target) =>
        domain.Element("devices")!.Elements("disk").Single(d => (string?)d.Element("target")!.Attribute("dev") == target);

    [Fact]
    public void A_new_domain_gets_the_new_name_no_uuid_and_fresh_distinct_mac_addresses()
    {
        var xml = XElement.Parse(new DomainXmlRewriter(new Random(7)).ForNewDomain(SavedXml, "web-2", BothDisks));

        Assert.Equal("web-2", xml.Element("name")!.Value);
        Assert.Null(xml.Element("uuid"));
        var macs = xml.Descendants("interface").Select(i => (string)i.Element("mac")!.Attribute("address")!).ToList();
        Assert.Equal(2, macs.Count);
        Assert.All(macs, mac => Assert.Matches("^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$", mac));
        Assert.Equal(2, macs.Distinct().Count());
        Assert.DoesNotContain("52:54:00:6b:3c:01", macs);
        Assert.DoesNotContain("52:54:00:6b:3c:02", macs);
    }

    [Fact]
    public void Restored_disks_point_at_their_images_as_qcow2_files_without_backing_store_elements()
    {
        var xml = XElement.Parse(new DomainXmlRewriter().ForNewDomain(SavedXml, "web-2", BothDisks));

        foreach (var (target, image) in BothDisks)
        {
            var disk = Disk(xml, target);
            Assert.Equal("file", (string?)disk.Attribute("type"));
            Assert.Equal(image, (string?)disk.Element("source")!.Attribute("file"));
            Assert.Single(disk.Elements("source").Attributes());
            Assert.Equal("qcow2", (string?)disk.Element("driver")!.Attribute("type"));
            Assert.Empty(disk.Elements("backingStore"));
        }
        Assert.Equal("none", (string?)Disk(xml, "vda").Element("driver")!.Attribute("cache"));
    }

    [Fact]
    public void A_new_domain_has_only_the_restored_disks_and_keeps_its_cdrom()
    {
        var xml = XElement.Parse(new DomainXmlRewriter().ForNewDomain(SavedXml, "web-2",
            new Dictionary<string, string> { ["vda"] = "/srv/restored/web-2-vda.qcow2" }));

        var disks = xml.Element("devices")!.Elements("disk").ToList();
        Assert.Equal(["vda", "sda"], disks.Select(d => (string)d.Element("target")!.Attribute("dev")!));
        var cdrom = disks[1];
        Assert.Equal("cdrom", (string?)cdrom.Attribute("device"));
        Assert.Equal("/var/lib/libvirt/images/debian-12.iso", (string?)cdrom.Element("source")!.Attribute("file"));
        Assert.Equal("raw", (string?)cdrom.Element("driver")!.Attribute("type"));
    }

    [Fact]
    public void Live_only_state_is_stripped()
    {
        var xml = XElement.Parse(new DomainXmlRewriter().ForNewDomain(SavedXml, "web-2", BothDisks));

        Assert.Null(xml.Attribute("id"));
        Assert.Empty(xml.Descendants("alias"));
        Assert.Empty(xml.Descendants().Attributes("index"));
        Assert.Empty(xml.Descendants("interface").Elements("target"));
        Assert.Empty(xml.Element("seclabel")!.Elements());
        Assert.Equal("dynamic", (string?)xml.Element("seclabel")!.Attribute("type"));
        Assert.Null(xml.Descendants("graphics").Single().Attribute("port"));
        Assert.Empty(Disk(xml, "vda").Descendants("seclabel"));
    }

    [Fact]
    public void A_new_domain_does_not_share_the_old_domains_nvram_file()
    {
        var xml = XElement.Parse(new DomainXmlRewriter().ForNewDomain(SavedXml, "web-2", BothDisks));

        var nvram = xml.Element("os")!.Element("nvram")!;
        Assert.Equal("", nvram.Value);
        Assert.Equal("/usr/share/OVMF/OVMF_VARS_4M.fd", (string?)nvram.Attribute("template"));
    }

    [Fact]
    public void In_place_keeps_name_uuid_macs_and_other_disks_and_changes_only_restored_sources()
    {
        var xml = XElement.Parse(new DomainXmlRewriter().ForInPlace(SavedXml,
            new Dictionary<string, string> { ["vda"] = "/srv/restored/web-1-vda.qcow2" }));
        var saved = XElement.Parse(SavedXml);

        Assert.Equal("web-1", xml.Element("name")!.Value);
        Assert.Equal(saved.Element("uuid")!.Value, xml.Element("uuid")!.Value);
        Assert.Equal(
            saved.Descendants("mac").Select(m => (string)m.Attribute("address")!),
            xml.Descendants("mac").Select(m => (string)m.Attribute("address")!));
        Assert.Equal("/srv/restored/web-1-vda.qcow2", (string?)Disk(xml, "vda").Element("source")!.Attribute("file"));
        var vdb = Disk(xml, "vdb");
        Assert.Equal("block", (string?)vdb.Attribute("type"));
        Assert.Equal("/dev/vg0/web-1-data", (string?)vdb.Element("source")!.Attribute("dev"));
        Assert.Equal("/var/lib/libvirt/qemu/nvram/web-1_VARS.fd", xml.Element("os")!.Element("nvram")!.Value);
        Assert.Null(xml.Attribute("id"));
    }

    [Fact]
    public void A_network_disk_restored_to_a_file_loses_its_network_source_and_credentials()
    {
        const string rbd = """
            <domain type='kvm'>
              <name>db-1</name>
              <devices>
                <disk type='network' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <auth username='libvirt'><secret type='ceph' usage='client.libvirt'/></auth>
                  <source protocol='rbd' name='pool/db-1'><host name='mon1' port='6789'/></source>
                  <target dev='vda' bus='virtio'/>
                </disk>
              </devices>
            </domain>
            """;

        var disk = Disk(XElement.Parse(new DomainXmlRewriter().ForInPlace(rbd,
            new Dictionary<string, string> { ["vda"] = "/srv/restored/db-1-vda.qcow2" })), "vda");

        Assert.Equal("file", (string?)disk.Attribute("type"));
        Assert.Null(disk.Element("auth"));
        Assert.Equal("<source file=\"/srv/restored/db-1-vda.qcow2\" />", disk.Element("source")!.ToString());
        Assert.Equal("qcow2", (string?)disk.Element("driver")!.Attribute("type"));
    }

    [Fact]
    public void A_restored_disk_missing_from_the_saved_xml_is_an_error_naming_it()
    {
        var error = Assert.Throws<InvalidDataException>(() => new DomainXmlRewriter().ForInPlace(SavedXml,
            new Dictionary<string, string> { ["vdc"] = "/srv/restored/x.qcow2" }));
        Assert.Contains("vdc", error.Message);
    }

    [Fact]
    public void The_restore_mode_chooses_the_rewrite()
    {
        var rewriter = new DomainXmlRewriter(new Random(1));
        var newDomain = XElement.Parse(rewriter.Rewrite(SavedXml, new RestoreMode.NewDomain("web-3"), BothDisks));
        var inPlace = XElement.Parse(rewriter.Rewrite(SavedXml, new RestoreMode.InPlace(), BothDisks));

        Assert.Equal("web-3", newDomain.Element("name")!.Value);
        Assert.Equal("web-1", inPlace.Element("name")!.Value);
    }
}
