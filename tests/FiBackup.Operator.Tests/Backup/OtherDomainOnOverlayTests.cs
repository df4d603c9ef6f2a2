using System.Security.Cryptography;
using FiBackup.Engine.Backup;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// An overlay is fibackup's by its name, but another domain may have been made on top of it (a
/// clone whose disk backs on the accumulator). Consolidation must then neither commit into it nor
/// delete it, and say why; the clone's disk stays exactly as it was.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class OtherDomainOnOverlayTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Consolidation_leaves_an_overlay_another_domain_backs_on_alone_and_says_why()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        await using var clone = await fixture.CreateDomainAsync(disks: 1, diskBytes: BackupScenario.DiskBytes, start: false);

        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x61);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", 2 * MiB, MiB, 0x62);
        await scenario.BackupAsync();
        // vda: base ← accumulator (first overlay) ← active. A second domain is made on the accumulator.
        var accumulator = (await scenario.LiveChainAsync("vda"))[1];
        Assert.True(OverlayName.IsOverlay(accumulator));
        var cloneDisk = clone.Disk("vda").Path;
        File.Delete(cloneDisk);
        await HostTool.RunAsync("qemu-img", "create", "-q", "-f", "qcow2", "-b", accumulator, "-F", "qcow2", cloneDisk);
        var accumulatorHash = await HashAsync(accumulator);

        await scenario.WriteAsync("vda", 4 * MiB, MiB, 0x63);
        var run = await scenario.BackupAsync();
        // The backup would have committed the second overlay into the accumulator.
        Assert.Contains($"used by domain {clone.Name}", run.Error);
        Assert.Equal(accumulatorHash, await HashAsync(accumulator));
        Assert.Equal(4, (await scenario.LiveChainAsync("vda")).Count);

        var consolidate = await Cli.Fibackup.RunAsync("consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name);
        Assert.Contains($"used by domain {clone.Name}", consolidate.Output);
        Assert.Equal(accumulatorHash, await HashAsync(accumulator));
        Assert.True(File.Exists(accumulator));

        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    private static async Task<string> HashAsync(string file)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }
}
