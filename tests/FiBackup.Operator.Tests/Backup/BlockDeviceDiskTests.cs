using System.Text.Json;
using FiBackup.Engine.Tools;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A disk that is a block device (here a loop device, as an LVM volume would be) gets its overlays
/// in the overlay directory instead of /dev: the live chain stays valid (a qcow2 overlay backed by
/// the device, backing format raw), incrementals continue it, consolidation folds it, and every
/// point restores to files byte-exact.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class BlockDeviceDiskTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_loop_device_disk_backs_up_incrementally_through_overlays_in_the_overlay_directory_and_restores_byte_exact()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { LoopDeviceDisks = ["vda"] });
        var device = scenario.Domain.Disk("vda").Path;
        Assert.StartsWith("/dev/loop", device);
        var overlays = Path.Combine(scenario.WorkDirectory, "overlays");
        for (var round = 0; round < 3; round++)
        {
            await scenario.WriteAsync("vda", round * MiB, 2 * MiB, (byte)(0x71 + round));
            await scenario.WriteAsync("vdb", (10 - round) * MiB, MiB / 2, (byte)(0x81 + round));
            await scenario.BackupAsync("--overlay-dir", overlays);

            var active = scenario.ActiveImage("vda");
            Assert.Equal(overlays, Path.GetDirectoryName(active));
            var chain = await scenario.LiveChainAsync("vda");
            Assert.Equal(device, chain[^1]);
            Assert.All(chain.SkipLast(1), image => Assert.StartsWith(overlays + "/", image));
            // The image right above the device names it with backing format raw, so QEMU never probes it.
            var info = JsonDocument.Parse((await ExternalTool.RunAsync("qemu-img", ["info", "-U", "--output=json", chain[^2]], CancellationToken.None)).StandardOutput).RootElement;
            Assert.Equal(device, info.GetProperty("backing-filename").GetString());
            Assert.Equal("raw", info.GetProperty("backing-filename-format").GetString());
            // The file disk keeps its overlays beside its image.
            Assert.Equal(scenario.Domain.Directory, Path.GetDirectoryName(scenario.ActiveImage("vdb")));
        }

        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
        await scenario.Domain.AssertGuestPatternAsync("vda", 2 * MiB, 2 * MiB, 0x73);
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x71);
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("pull")]
    public async Task Consolidate_folds_the_overlays_of_a_loop_device_disk_and_the_next_backup_restores_byte_exact(string method)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { LoopDeviceDisks = ["vda"] });
        var device = scenario.Domain.Disk("vda").Path;
        var overlays = Path.Combine(scenario.WorkDirectory, "overlays");
        for (var round = 0; round < 3; round++)
        {
            await scenario.WriteAsync("vda", round * 3 * MiB, MiB, (byte)(0x91 + round));
            await scenario.BackupAsync("--overlay-dir", overlays, "--consolidate", "none");
        }
        Assert.Equal(4, (await scenario.LiveChainAsync("vda")).Count);

        var run = await Fibackup.RunAsync("consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--method", method);

        Assert.True(run.ExitCode == 0, run.ToString());
        var chain = await scenario.LiveChainAsync("vda");
        // Commit folds into the lowest overlay and moves the domain onto it; pull leaves the active overlay on the device.
        Assert.Equal(2, chain.Count);
        Assert.Equal(device, chain[^1]);
        Assert.StartsWith(overlays + "/", chain[0]);
        for (var round = 0; round < 3; round++)
            await scenario.Domain.AssertGuestPatternAsync("vda", round * 3 * MiB, MiB, (byte)(0x91 + round));

        await scenario.WriteAsync("vda", 12 * MiB, MiB, 0x99);
        await scenario.BackupAsync("--overlay-dir", overlays);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task A_shut_off_domain_on_a_loop_device_backs_up_and_restores_byte_exact()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false, options: new TestDomainOptions { LoopDeviceDisks = ["vda"] });
        var overlays = Path.Combine(scenario.WorkDirectory, "overlays");
        for (var round = 0; round < 3; round++)
        {
            await scenario.WriteAsync("vda", round * MiB, 2 * MiB, (byte)(0xa1 + round));
            await scenario.BackupAsync("--overlay-dir", overlays);
            Assert.Equal(overlays, Path.GetDirectoryName(scenario.ActiveImage("vda")));
        }

        Assert.False(scenario.Domain.Domain.IsActive);
        Assert.Equal(["full", "incremental", "incremental"], (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task Offline_consolidate_with_allow_base_write_folds_into_the_device_and_the_domain_starts_on_it()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false, options: new TestDomainOptions { LoopDeviceDisks = ["vda"] });
        var device = scenario.Domain.Disk("vda").Path;
        var overlays = Path.Combine(scenario.WorkDirectory, "overlays");
        for (var round = 0; round < 2; round++)
        {
            await scenario.WriteAsync("vda", round * 4 * MiB, MiB, (byte)(0xb1 + round));
            await scenario.BackupAsync("--overlay-dir", overlays);
        }

        var run = await Fibackup.RunAsync("consolidate", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
            "--method", "commit", "--allow-base-write");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([device], await scenario.LiveChainAsync("vda"));
        // Still a block disk of format raw: QEMU's file driver refuses a device, and a qcow2 driver type a raw image.
        var disk = FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(scenario.Domain.Domain.GetXml(FiBackup.Libvirt.DomainXmlFlags.Inactive))
            .Single(d => d.Target == "vda");
        Assert.Equal(("block", "raw"), (disk.SourceType, disk.Format));
        scenario.Domain.Domain.Start();
        for (var round = 0; round < 2; round++)
            await scenario.Domain.AssertGuestPatternAsync("vda", round * 4 * MiB, MiB, (byte)(0xb1 + round));
    }
}
