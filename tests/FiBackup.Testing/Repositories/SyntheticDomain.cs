using System.Security.Cryptography;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Tools;

namespace FiBackup.Testing.Repositories;

/// <summary>
/// One domain of a <see cref="TestRepository"/>. Each <see cref="BackupAsync"/> simulates what the
/// guest wrote since the previous backup (distinct byte patterns at overlapping, unaligned offsets,
/// and sometimes zeroes over older data) and records a restore point exactly as the backup engine
/// would: a full image or an overlay backed by the previous file by its relative name, and a
/// manifest with sizes, SHA-256 and the domain XML.
/// </summary>
public sealed class SyntheticDomain
{
    private readonly TestRepository _repository;
    private readonly Dictionary<string, string> _liveModel = new(); // target -> raw image of the disk "now"
    private readonly List<RestorePointManifest> _points = [];
    private int _backups;

    internal SyntheticDomain(TestRepository repository, DomainLayout layout, IReadOnlyList<string> targets)
    {
        _repository = repository;
        Layout = layout;
        Targets = targets;
        Uuid = Guid.NewGuid().ToString();
        foreach (var target in targets)
        {
            var model = Path.Combine(repository.ExpectedDirectory, $"{layout.Host}-{layout.Domain}-{target}.live.raw");
            using (var stream = File.Create(model)) stream.SetLength(TestRepository.DiskSize);
            _liveModel[target] = model;
        }
    }

    public DomainLayout Layout { get; }
    public IReadOnlyList<string> Targets { get; }
    public string Uuid { get; }

    /// <summary>The restore points taken so far, oldest first, as their manifests were first written.</summary>
    public IReadOnlyList<RestorePointManifest> Points => _points;

    /// <summary>The raw image holding what disk <paramref name="target"/> contained at restore point <paramref name="point"/>.</summary>
    public string ExpectedImage(string point, string target) =>
        Path.Combine(_repository.ExpectedDirectory, $"{Layout.Host}-{Layout.Domain}-{point}-{target}.raw");

    /// <summary>Takes a backup at <paramref name="time"/>: the first one, or one with <paramref name="full"/>, starts a new chain.</summary>
    public async Task<RestorePointManifest> BackupAsync(DateTimeOffset time, bool full = false, CancellationToken ct = default)
    {
        var id = new RestorePointId(time);
        var previous = _points.Count == 0 ? null : _points[^1];
        var startsChain = full || previous is null;
        var chain = startsChain ? id.ToString() : previous!.Chain;
        var sequence = startsChain ? 0 : previous!.Sequence + 1;
        var n = _backups++;

        var disks = new List<DiskManifest>();
        for (var d = 0; d < Targets.Count; d++)
        {
            var target = Targets[d];
            var writes = GuestWrites(n, d, startsChain);
            await QemuTools.WriteAsync(_liveModel[target], "raw", writes, ct);
            File.Copy(_liveModel[target], ExpectedImage(id.ToString(), target));

            var folder = DomainLayout.RelativeChainDiskFolder(chain, target);
            Directory.CreateDirectory(Path.Combine(Layout.Directory, folder));
            var name = DomainLayout.ChainFileName(sequence, id);
            var file = Path.Combine(Layout.Directory, folder, name);
            var earlier = startsChain ? [] : previous!.Disks.Single(x => x.Target == target).Files;
            string? backing = startsChain ? null : Path.GetFileName(earlier[^1].Path);
            if (startsChain)
            {
                // A full copy of the disk as it is now: only allocated data, like the engine's sparse copy.
                await QemuImg.ConvertAsync(_liveModel[target], file, ct, forceShare: false, sourceFormat: "raw");
            }
            else
            {
                await QemuImg.CreateAsync(file, 0, ct, backingFile: backing);
                await QemuTools.WriteAsync(file, "qcow2", writes, ct);
            }
            var recorded = new RepositoryFile
            {
                Path = Path.Combine(folder, name), Size = new FileInfo(file).Length, Sha256 = Sha256Of(file), Backing = backing,
            };
            disks.Add(new DiskManifest
            {
                Target = target,
                Source = LiveImage(target, previous?.Id),
                VirtualSize = TestRepository.DiskSize,
                Files = [.. earlier, recorded],
                // As the engine records them: the data the file stores, and its length beside.
                Bytes = SparseFiles.DataBytesOnDisk(file),
                FileLength = recorded.Size,
                LiveOverlay = LiveImage(target, id.ToString()),
            });
        }

        var manifest = new RestorePointManifest
        {
            Id = id.ToString(), Domain = Layout.Domain, DomainUuid = Uuid, Host = Layout.Host, Time = id.Time,
            Type = startsChain ? BackupType.Full : BackupType.Incremental, Chain = chain, Sequence = sequence,
            Disks = disks, DomainXml = DomainXml(previous?.Id), Tool = "fibackup-tests",
        };
        await new ManifestStore(Layout).WriteAsync(manifest, ct);
        _points.Add(manifest);
        return manifest;
    }

    /// <summary>
    /// What the guest wrote before backup <paramref name="n"/> on disk <paramref name="d"/>: unaligned
    /// writes that straddle clusters and overlap earlier ones, and every third time zeroes over data
    /// the first backup wrote (a merge must keep those zeroes, not resurrect the older data).
    /// </summary>
    private static List<string> GuestWrites(int n, int d, bool full)
    {
        var pattern = 0x10 + n * 8 + d;
        var writes = new List<string>();
        if (full && n == 0)
        {
            writes.Add($"write -P 0x{pattern:x2} 0 1M");
            writes.Add($"write -P 0x{pattern + 1:x2} 2M 512k");
        }
        writes.Add($"write -P 0x{(pattern + 2) & 0xff:x2} {(n * 320 + 4) % 3072}k 96k");
        writes.Add($"write -P 0x{(pattern + 3) & 0xff:x2} {(n * 7 % 12) * 256 + 32}k 200k");
        if (n % 3 == 2) writes.Add($"write -z {(n % 4) * 512}k 128k");
        return writes;
    }

    private string LiveImage(string target, string? overlayOf) => overlayOf is null
        ? $"/var/lib/libvirt/images/{Layout.Domain}-{target}.qcow2"
        : $"/var/lib/libvirt/images/{Layout.Domain}-{target}.fib-{overlayOf}.qcow2";

    /// <summary>The inactive XML of the domain as libvirt would give it while it runs on the live overlays.</summary>
    private string DomainXml(string? overlayOf)
    {
        var disks = string.Concat(Targets.Select(target => $"""

                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2' discard='unmap'/>
                  <source file='{LiveImage(target, overlayOf)}'/>
                  <target dev='{target}' bus='virtio'/>
                </disk>
            """));
        return $"""
            <domain type='kvm'>
              <name>{Layout.Domain}</name>
              <uuid>{Uuid}</uuid>
              <memory unit='KiB'>524288</memory>
              <vcpu placement='static'>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
                <boot dev='hd'/>
              </os>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>{disks}
                <disk type='file' device='cdrom'>
                  <driver name='qemu' type='raw'/>
                  <source file='/var/lib/libvirt/images/debian-12.iso'/>
                  <target dev='sda' bus='sata'/>
                  <readonly/>
                </disk>
                <interface type='network'>
                  <mac address='52:54:00:6b:3c:01'/>
                  <source network='default'/>
                  <model type='virtio'/>
                </interface>
              </devices>
            </domain>
            """;
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
