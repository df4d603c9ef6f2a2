using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// The dirty-bitmap technique (`--technique bitmap`) end to end on real libvirt: a push backup job
/// with a checkpoint per point, the same repository format as the snapshot technique.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class BitmapBackupTests(LibvirtFixture fixture)
{
    private const long KiB = 1 << 10;
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Every_bitmap_point_of_a_running_two_disk_domain_restores_byte_exact_and_incrementals_hold_only_changed_clusters()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var activeBefore = new[] { scenario.ActiveImage("vda"), scenario.ActiveImage("vdb") };
        for (var round = 0; round < 5; round++)
        {
            var pattern = (byte)(0x10 * (round + 1) + 3);
            await scenario.WriteAsync("vda", round * MiB, 2 * MiB, pattern);
            await scenario.WriteAsync("vdb", (12 - round) * MiB, MiB / 2, (byte)(pattern + 1));
            var run = await scenario.BackupAsync("--technique", "bitmap");
            Assert.Contains("bitmap technique (no snapshot", run.Output);
        }

        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental", "incremental", "incremental", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        foreach (var point in points.Skip(1))
        {
            foreach (var disk in point.GetProperty("disks").EnumerateArray())
            {
                var written = disk.GetProperty("target").GetString() == "vda" ? 2 * MiB : MiB / 2;
                var stored = disk.GetProperty("bytes").GetInt64();
                // The guest's writes plus qcow2 metadata; a copy of the whole disk would be 16 MiB.
                Assert.True(stored >= written && stored < written + MiB,
                    $"point {point.GetProperty("id")} disk {disk.GetProperty("target")} stores {stored} bytes for {written} written");
            }
        }
        // The live chain never grew, and only the last point's checkpoint is kept.
        Assert.Equal(activeBefore, new[] { scenario.ActiveImage("vda"), scenario.ActiveImage("vdb") });
        Assert.Single(await scenario.LiveChainAsync("vda"));
        Assert.Equal([$"fibackup-{scenario.PointIds[^1]}"], await Checkpoints.OfAsync(scenario.Domain.Name));

        await scenario.AssertEveryPointRestoresExactlyAsync();
        var verify = await Fibackup.RunAsync("verify", "--repository", scenario.Repository, "--domain", scenario.Domain.Name, "--point", scenario.PointIds[^1]);
        Assert.True(verify.ExitCode == 0, $"verify of the last bitmap point failed: {verify}");
    }

    [Fact]
    public async Task Small_writes_in_a_bitmap_incremental_are_stored_at_about_their_size_not_as_whole_dirty_blocks()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 4 * MiB, 0x31);
        await scenario.BackupAsync("--technique", "bitmap");

        // 64 writes of 4 KiB, each in a 64 KiB dirty block of its own, over data and over holes;
        // one of them writes zeros over data, and one rewrites data with what it already held
        // (its block is dirty, but nothing in it differs from the previous point).
        const int writes = 64;
        for (var i = 0; i < writes; i++)
            await scenario.WriteAsync("vda", i * 192 * KiB + 8 * KiB, 4 * KiB, (byte)(0x40 + i));
        await scenario.WriteAsync("vda", 64 * KiB, 4 * KiB, 0x00);
        await scenario.WriteAsync("vda", 1 * MiB + 4 * KiB, 4 * KiB, 0x31);
        await scenario.BackupAsync("--technique", "bitmap");
        await scenario.WriteAsync("vda", 5 * MiB, 4 * KiB, 0x99);
        await scenario.BackupAsync("--technique", "bitmap");

        var vda = scenario.Manifest(scenario.PointIds[1]).Disks.Single(d => d.Target == "vda");
        var file = Path.Combine(scenario.DomainDirectory, vda.Files[^1].Path);
        Assert.True(await BackupScenario.HasSubclustersAsync(file), $"the bitmap incremental {file} has no subclusters");
        // Written: 65 x 4 KiB that differ. Whole dirty blocks would be 66 x 64 KiB. Allowed: twice what
        // differs plus 384 KiB for the trimmed qcow2's metadata (header, L1, refcount table and block,
        // one L2 table), as for the snapshot technique (SubclusterOverlayTests).
        var bound = 2 * (writes + 1) * 4 * KiB + 384 * KiB;
        Assert.True(vda.Bytes <= bound, $"the bitmap incremental of 64 x 4 KiB stores {vda.Bytes} bytes, more than {bound}");
        await scenario.AssertEveryPointRestoresExactlyAsync();
        var verify = await Fibackup.RunAsync("verify", "--repository", scenario.Repository, "--domain", scenario.Domain.Name);
        Assert.True(verify.ExitCode == 0, $"verify of the trimmed bitmap points failed: {verify}");
    }

    [Fact]
    public async Task Two_repositories_backing_up_one_domain_with_bitmaps_each_continue_from_their_own_checkpoint()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var repositories = new[] { scenario.Repository, Path.Combine(scenario.WorkDirectory, "second-repository") };
        var points = repositories.ToDictionary(r => r, _ => new List<string>());
        for (var round = 0; round < 3; round++)
        {
            for (var r = 0; r < repositories.Length; r++)
            {
                scenario.Repository = repositories[r];
                await scenario.WriteAsync("vda", (2 * round + r) * MiB, MiB, (byte)(0x61 + 2 * round + r));
                var run = await scenario.BackupAsync("--technique", "bitmap");
                if (round > 0) Assert.DoesNotContain("taking a full backup", run.Error);
                points[repositories[r]].Add(scenario.PointIds[^1]);
            }
        }

        // Each repository kept its newest point's checkpoint, and only that one.
        Assert.Equal(repositories.Select(r => $"fibackup-{points[r][^1]}").Order(StringComparer.Ordinal), await Checkpoints.OfAsync(scenario.Domain.Name));
        foreach (var repository in repositories)
        {
            scenario.Repository = repository;
            Assert.Equal(["full", "incremental", "incremental"], (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()));
            foreach (var point in points[repository]) await scenario.AssertRestoresExactlyAsync(point);
        }
    }

    [Fact]
    public async Task A_bitmap_removed_inside_QEMU_gives_a_full_with_the_reason_never_a_wrong_incremental()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x71);
        await scenario.BackupAsync("--technique", "bitmap");
        // The checkpoint stays in libvirt, but vda's bitmap is gone from its qcow2 (what a crash of
        // QEMU before it flushed the bitmap, or a tool editing the image, leaves behind).
        var checkpoint = $"fibackup-{scenario.PointIds[0]}";
        var node = await FormatNodeOfAsync(scenario.Domain.Name, scenario.ActiveImage("vda"));
        await VirshAsync("qemu-monitor-command", scenario.Domain.Name,
            $$$"""{"execute":"block-dirty-bitmap-remove","arguments":{"node":"{{{node}}}","name":"{{{checkpoint}}}"}}""");
        await scenario.WriteAsync("vda", 4 * MiB, MiB, 0x72);
        await scenario.WriteAsync("vdb", 2 * MiB, MiB, 0x73);

        var run = await scenario.BackupAsync("--technique", "bitmap");

        Assert.Contains("taking a full backup", run.Error);
        Assert.Contains(checkpoint, run.Error);
        Assert.Equal(["full", "full"], (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
        // The next run continues from the new full as usual.
        await scenario.WriteAsync("vda", 6 * MiB, MiB, 0x74);
        await scenario.BackupAsync("--technique", "bitmap");
        Assert.Equal("incremental", (await scenario.ListAsync())[^1].GetProperty("type").GetString());
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[^1]);
    }

    /// <summary>The node name of the qcow2 format node QEMU opened <paramref name="image"/> with.</summary>
    private static async Task<string> FormatNodeOfAsync(string domain, string image)
    {
        using var nodes = System.Text.Json.JsonDocument.Parse(await VirshAsync("qemu-monitor-command", domain, """{"execute":"query-named-block-nodes","arguments":{"flat":true}}"""));
        return nodes.RootElement.GetProperty("return").EnumerateArray()
            .First(n => n.GetProperty("drv").GetString() == "qcow2" && n.GetProperty("file").GetString() == image)
            .GetProperty("node-name").GetString()!;
    }

    [Fact]
    public async Task A_checkpoint_deleted_by_hand_gives_a_full_with_the_reason()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, MiB, 0x31);
        await scenario.BackupAsync("--technique", "bitmap");
        await VirshAsync("checkpoint-delete", scenario.Domain.Name, $"fibackup-{scenario.PointIds[0]}");
        await scenario.WriteAsync("vda", 4 * MiB, MiB, 0x32);

        var run = await scenario.BackupAsync("--technique", "bitmap");

        Assert.Contains("taking a full backup: checkpoint fibackup-" + scenario.PointIds[0], run.ToString());
        var points = await scenario.ListAsync();
        Assert.Equal(["full", "full"], points.Select(p => p.GetProperty("type").GetString()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    private static async Task<string> VirshAsync(params string[] args) =>
        (await FiBackup.Engine.Tools.ExternalTool.RunAsync("virsh", ["-c", LibvirtFixture.Uri, .. args], CancellationToken.None)).StandardOutput;
}
