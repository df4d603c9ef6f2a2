using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// The heart of the product, end to end on real libvirt: distinct patterns written between four
/// backups (1 full + 3 incrementals), then every restore point restored as a new domain and
/// compared byte for byte with what the guest had at that point.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class BackupRestoreTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    /// <summary>Four backups with distinct, partly overlapping writes on both disks before each.</summary>
    private static async Task RunFourBackupsAsync(BackupScenario scenario, params string[] options)
    {
        for (var round = 0; round < 4; round++)
        {
            var pattern = (byte)(0x10 * (round + 1) + 1);
            await scenario.WriteAsync("vda", round * MiB, 2 * MiB, pattern);          // overlaps the previous round
            await scenario.WriteAsync("vdb", (12 - round) * MiB, MiB / 2, (byte)(pattern + 1));
            await scenario.BackupAsync(options);
        }
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("none")]
    [InlineData("pull")]
    public async Task Every_point_of_a_running_domain_restores_byte_exact(string consolidation)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await RunFourBackupsAsync(scenario, "--consolidate", consolidation);

        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental", "incremental", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
        // The guest still sees everything it wrote.
        await scenario.Domain.AssertGuestPatternAsync("vda", 3 * MiB, 2 * MiB, 0x41);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 9 * MiB, MiB / 2, 0x42);
    }

    [Fact]
    public async Task Every_point_of_a_shut_off_domain_restores_byte_exact()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        await RunFourBackupsAsync(scenario);

        Assert.False(scenario.Domain.Domain.IsActive);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task Flattened_restores_equal_the_chain_restores()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await RunFourBackupsAsync(scenario);
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[2], "--flatten");
    }

    [Fact]
    public async Task Commit_consolidation_keeps_the_live_chain_at_three_images_without_writing_the_base()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var baseImage = scenario.Domain.Disk("vda").Path;
        await RunFourBackupsAsync(scenario, "--consolidate", "commit");
        var baseDigest = Sha256(baseImage);
        await scenario.WriteAsync("vda", 5 * MiB, MiB, 0x77);
        await scenario.BackupAsync("--consolidate", "commit");

        var chain = await scenario.LiveChainAsync("vda");
        Assert.Equal(3, chain.Count);
        Assert.Equal(baseImage, chain[^1]);
        Assert.Equal(baseDigest, Sha256(baseImage));
        // Only the active overlay and the accumulator remain of fibackup's overlays.
        Assert.Equal(2, Directory.GetFiles(scenario.Domain.Directory, "vda.qcow2.fib-*.qcow2").Length);
    }

    [Fact]
    public async Task Allow_base_write_commits_into_the_base_and_leaves_a_two_image_chain()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await RunFourBackupsAsync(scenario, "--consolidate", "commit", "--allow-base-write");

        var chain = await scenario.LiveChainAsync("vda");
        Assert.Equal([scenario.ActiveImage("vda"), scenario.Domain.Disk("vda").Path], chain);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task A_disk_on_a_template_is_flattened_into_a_self_contained_full_and_the_template_is_untouched()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture,
            options: new TestDomainOptions { DisksWithBackingChain = ["vda"] },
            prepareTemplate: disk => FiBackup.Testing.Repositories.QemuTools.WriteAsync(disk.TemplatePath!, "qcow2", ["write -P 0x5a 8M 2M"]));
        scenario.ExpectTemplateContent("vda", 8 * MiB, 2 * MiB, 0x5a);
        var template = scenario.Domain.Disk("vda").TemplatePath!;
        var templateDigest = Sha256(template);

        await RunFourBackupsAsync(scenario, "--consolidate", "pull");

        var fullPoint = (await scenario.ListAsync())[0];
        var full = fullPoint.GetProperty("disks").EnumerateArray()
            .Single(d => d.GetProperty("target").GetString() == "vda").GetProperty("files")[0].GetString()!;
        var fullPath = Path.Combine(scenario.Repository, fullPoint.GetProperty("host").GetString()!, scenario.Domain.Name, full);
        Assert.Null(await FiBackup.Testing.Repositories.QemuTools.BackingNameAsync(fullPath));
        Assert.Equal(templateDigest, Sha256(template));
        Assert.Equal(template, (await scenario.LiveChainAsync("vda"))[^1]);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Fact]
    public async Task A_cdrom_is_not_backed_up_and_stays_attached()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { Cdrom = true });
        await scenario.WriteAsync("vda", 0, MiB, 0x33);
        await scenario.BackupAsync();

        var disks = (await scenario.ListAsync())[0].GetProperty("disks").EnumerateArray().Select(d => d.GetProperty("target").GetString());
        Assert.Equal(["vda", "vdb"], disks.Order());
        Assert.Contains(scenario.Domain.CdromPath!, scenario.Domain.Domain.GetXml());
    }

    private static string Sha256(string path) => FiBackup.Testing.Repositories.SyntheticDomain.Sha256Of(path);
}
