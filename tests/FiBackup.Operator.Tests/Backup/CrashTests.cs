using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Repositories;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// Invariants 1–3 under `kill -9` at every step of a backup: a child `fibackup backup` kills itself
/// (FIBACKUP_CRASH_AT) at the step; then the domain must still run on a valid chain with all its
/// data, the base image and every repository file must be untouched, and the next backup must
/// recover (finish or undo the interrupted one), succeed, and every point must restore byte-exact.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class CrashTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    public static TheoryData<string> Steps() => new(BackupCrashPoints.All);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_backup_killed_at_any_step_leaves_a_valid_domain_and_the_next_backup_recovers(string step)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var baseImage = scenario.Domain.Disk("vda").Path;
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0xa1);
        await scenario.WriteAsync("vdb", 4 * MiB, MiB, 0xb1);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", MiB, 2 * MiB, 0xa2);
        await scenario.BackupAsync();
        // From the third run on, commit consolidation has work to do (it folds into the accumulator).
        await scenario.WriteAsync("vda", 6 * MiB, MiB, 0xa3);
        await scenario.WriteAsync("vdb", 5 * MiB, MiB, 0xb3);
        var baseDigest = SyntheticDomain.Sha256Of(baseImage);
        var repositoryBefore = RepositoryFiles(scenario.Repository);
        var pointsBefore = (await scenario.ListAsync()).Select(p => p.GetProperty("id").GetString()!).ToHashSet();

        var crashed = await Fibackup.RunProcessAsync(new Dictionary<string, string> { ["FIBACKUP_CRASH_AT"] = step },
            "backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository);
        Assert.True(crashed.ExitCode != 0, $"the backup was not killed at {step}: {crashed}");
        Assert.Contains($"FIBACKUP_CRASH_AT={step}", crashed.Error);
        var journalStep = JournalStepOf(scenario.Repository);
        var expectedAtCrash = new[] { "vda", "vdb" }.ToDictionary(t => t, t => scenario.Expected(t).SaveAs("crash"));

        // Invariant 1: the domain runs, its chain opens, the guest sees everything it wrote.
        Assert.True(scenario.Domain.Domain.IsActive, $"the domain stopped after a crash at {step}");
        foreach (var target in new[] { "vda", "vdb" })
            Assert.NotEmpty(await scenario.LiveChainAsync(target));
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0xa1);
        await scenario.Domain.AssertGuestPatternAsync("vda", MiB, 2 * MiB, 0xa2);
        await scenario.Domain.AssertGuestPatternAsync("vda", 6 * MiB, MiB, 0xa3);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 5 * MiB, MiB, 0xb3);
        // Invariant 2: the original base was not written.
        Assert.Equal(baseDigest, SyntheticDomain.Sha256Of(baseImage));
        // Invariant 3: every repository file that existed is unchanged.
        var repositoryAfter = RepositoryFiles(scenario.Repository);
        foreach (var (file, digest) in repositoryBefore)
            Assert.True(repositoryAfter.TryGetValue(file, out var now) && now == digest, $"{file} changed or vanished after a crash at {step}");

        // The next backup recovers and succeeds; the interrupted point, if it was finished, has the content of its snapshot.
        await scenario.WriteAsync("vda", 9 * MiB, MiB, 0xa4);
        var next = await scenario.BackupAsync();
        Assert.Contains("interrupted", next.Error);
        var recoveredPoint = (await scenario.ListAsync()).Select(p => p.GetProperty("id").GetString()!)
            .SingleOrDefault(id => !pointsBefore.Contains(id) && !scenario.PointIds.Contains(id));
        if (recoveredPoint is not null)
        {
            foreach (var (target, image) in expectedAtCrash) File.Copy(image, scenario.Expected(target).PointImage(recoveredPoint));
            scenario.PointIds.Insert(scenario.PointIds.Count - 1, recoveredPoint);
        }
        // Before the snapshot nothing happened to the domain: the plan (and any overlay made for it) is discarded.
        Assert.Equal(step is "after-plan" or "after-overlays", recoveredPoint is null);
        // The recovery names the step the journal recorded, not one it reached while finishing.
        if (recoveredPoint is not null && journalStep is not null)
            Assert.Contains($"which an interrupted run had left at step {journalStep}", next.Error, StringComparison.OrdinalIgnoreCase);

        var verify = await Fibackup.RunAsync("verify", "--repository", scenario.Repository);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Empty(Directory.GetFiles(scenario.Repository, "*" + AtomicFile.PartialSuffix, SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(scenario.Repository), "backup-*.json", SearchOption.AllDirectories));
        Assert.True((await scenario.LiveChainAsync("vda")).Count <= 3, "the live chain grew after recovery");
        Assert.Equal(2, Directory.GetFiles(scenario.Domain.Directory, "vda.qcow2.fib-*.qcow2").Length);
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    [Theory]
    [InlineData("after-snapshot")]
    [InlineData("after-copy")]
    public async Task A_backup_killed_under_the_previous_journal_shape_is_finished_by_the_next_backup(string step)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0xa1);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", MiB, 2 * MiB, 0xa2);
        var pointsBefore = (await scenario.ListAsync()).Select(p => p.GetProperty("id").GetString()!).ToHashSet();
        var crashed = await Fibackup.RunProcessAsync(new Dictionary<string, string> { ["FIBACKUP_CRASH_AT"] = step },
            "backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository);
        Assert.Contains($"FIBACKUP_CRASH_AT={step}", crashed.Error);
        var journal = Directory.GetFiles(scenario.Repository, "backup-*.json", SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(journal, InPreviousShape(await File.ReadAllTextAsync(journal)));
        var expectedAtCrash = new[] { "vda", "vdb" }.ToDictionary(t => t, t => scenario.Expected(t).SaveAs("crash"));

        var next = await scenario.BackupAsync();

        Assert.Contains("interrupted", next.Error);
        var recoveredPoint = (await scenario.ListAsync()).Select(p => p.GetProperty("id").GetString()!)
            .Single(id => !pointsBefore.Contains(id) && !scenario.PointIds.Contains(id));
        foreach (var (target, image) in expectedAtCrash) File.Copy(image, scenario.Expected(target).PointImage(recoveredPoint));
        scenario.PointIds.Insert(scenario.PointIds.Count - 1, recoveredPoint);
        var verify = await Fibackup.RunAsync("verify", "--repository", scenario.Repository);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Empty(Directory.GetFiles(scenario.Repository, "backup-*.json", SearchOption.AllDirectories));
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    /// <summary>
    /// A journal record as versions before the manifest records were held in it wrote it: the
    /// manifest's fields at the top, each disk with frozen, overlay, virtualSize and previousFiles.
    /// </summary>
    private static string InPreviousShape(string json)
    {
        var current = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var point = current["point"]!.AsObject();
        var flat = new System.Text.Json.Nodes.JsonObject();
        foreach (var field in new[] { "type", "chain", "sequence", "offline" }) flat[field] = point[field]!.DeepClone();
        flat["pointId"] = point["id"]!.DeepClone();
        foreach (var field in new[] { "step", "consolidation", "allowBaseWrite", "bandwidthBytesPerSecond" })
            if (current[field] is { } value) flat[field] = value.DeepClone();
        flat["quiesced"] = point["quiesced"]!.DeepClone();
        flat["domainXml"] = point["domainXml"]!.DeepClone();
        flat["domainUuid"] = point["domainUuid"]!.DeepClone();
        foreach (var field in new[] { "started", "processId", "warnings", "name" }) flat[field] = current[field]!.DeepClone();
        if (point["idempotencyKey"] is { } key) flat["idempotencyKey"] = key.DeepClone();
        var disks = new System.Text.Json.Nodes.JsonArray();
        foreach (var node in current["disks"]!.AsArray())
        {
            var disk = node!.AsObject();
            var manifest = disk["manifest"]!.AsObject();
            var old = new System.Text.Json.Nodes.JsonObject
            {
                ["target"] = manifest["target"]!.DeepClone(),
                ["frozen"] = manifest["source"]!.DeepClone(),
                ["overlay"] = manifest["liveOverlay"]!.DeepClone(),
                ["virtualSize"] = manifest["virtualSize"]!.DeepClone(),
                ["repositoryFile"] = disk["repositoryFile"]!.DeepClone(),
                ["previousFiles"] = manifest["files"]!.DeepClone(),
            };
            foreach (var field in new[] { "repositoryBacking", "copied", "bytesCopied", "bytesToCopy" })
                if (disk[field] is { } value) old[field] = value.DeepClone();
            disks.Add(old);
        }
        flat["disks"] = disks;
        Assert.Null(flat["point"]);
        return flat.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private static Dictionary<string, string> RepositoryFiles(string repository) =>
        Directory.GetFiles(repository, "*.qcow2", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(repository, "*.json", SearchOption.AllDirectories).Where(f => f.Contains("/points/")))
            .ToDictionary(f => f, SyntheticDomain.Sha256Of);

    /// <summary>The step the backup journal in the repository records (e.g. "snapshotted"), or null when there is none.</summary>
    private static string? JournalStepOf(string repository)
    {
        var journal = Directory.GetFiles(repository, "backup-*.json", SearchOption.AllDirectories).SingleOrDefault();
        return journal is null ? null
            : System.Text.Json.JsonDocument.Parse(File.ReadAllText(journal)).RootElement.GetProperty("step").GetString();
    }
}
