using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>Overlay names on real libvirt: every disk gets its own, whatever its image is called.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class OverlayNameTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Two_disks_x_qcow2_and_x_img_in_one_directory_are_backed_up_onto_overlays_of_their_own()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions
        {
            DiskFileNames = new Dictionary<string, string> { ["vda"] = "x.qcow2", ["vdb"] = "x.img" },
        });
        await scenario.WriteAsync("vda", 0, MiB, 0x51);
        await scenario.WriteAsync("vdb", 2 * MiB, MiB, 0x52);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", MiB, MiB, 0x53);
        await scenario.WriteAsync("vdb", 4 * MiB, MiB, 0x54);
        await scenario.BackupAsync();

        var vda = await scenario.LiveChainAsync("vda");
        var vdb = await scenario.LiveChainAsync("vdb");
        Assert.Equal(scenario.Domain.Disk("vda").Path, vda[^1]);
        Assert.Equal(scenario.Domain.Disk("vdb").Path, vdb[^1]);
        Assert.Empty(vda.Intersect(vdb));
        await scenario.AssertEveryPointRestoresExactlyAsync();
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x51);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 4 * MiB, MiB, 0x54);
    }
}
