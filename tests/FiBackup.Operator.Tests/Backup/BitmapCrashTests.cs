using FiBackup.Engine.Repository;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// `kill -9` at every step of a bitmap backup (FIBACKUP_CRASH_AT): the domain keeps running with
/// all its data, the next backup stops the job the dead run left, discards or finishes its point,
/// and succeeds; every point restores byte-exact and verifies, no partial file or stale checkpoint stays.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class BitmapCrashTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData("after-plan", false)]
    [InlineData("after-begin", false)]
    [InlineData("after-job", false)]
    [InlineData("after-trim", false)]
    [InlineData("after-rename", true)]
    [InlineData("after-record", true)]
    public async Task A_bitmap_backup_killed_at_any_step_is_recovered_by_the_next_run(string step, bool pointSurvives)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0xa1);
        await scenario.WriteAsync("vdb", 4 * MiB, MiB, 0xb1);
        await scenario.BackupAsync("--technique", "bitmap");
        await scenario.WriteAsync("vda", MiB, 2 * MiB, 0xa2);
        await scenario.WriteAsync("vdb", 8 * MiB, MiB, 0xb2);

        var crashed = await Fibackup.RunProcessAsync(new Dictionary<string, string> { ["FIBACKUP_CRASH_AT"] = step },
            "backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository, "--technique", "bitmap");
        Assert.True(crashed.ExitCode != 0, $"the backup was not killed at {step}: {crashed}");
        Assert.Contains($"FIBACKUP_CRASH_AT={step}", crashed.Error);
        var expectedAtCrash = new[] { "vda", "vdb" }.ToDictionary(t => t, t => scenario.Expected(t).SaveAs("crash"));

        Assert.True(scenario.Domain.Domain.IsActive, $"the domain stopped after a crash at {step}");
        await scenario.Domain.AssertGuestPatternAsync("vda", MiB, 2 * MiB, 0xa2);
        await scenario.Domain.AssertGuestPatternAsync("vdb", 8 * MiB, MiB, 0xb2);

        await scenario.WriteAsync("vda", 9 * MiB, MiB, 0xa3);
        var next = await scenario.BackupAsync("--technique", "bitmap");
        Assert.Contains("interrupted", next.Error);
        var ids = (await scenario.ListAsync()).Select(p => p.GetProperty("id").GetString()!).ToList();
        var recovered = ids.SingleOrDefault(id => !scenario.PointIds.Contains(id));
        Assert.True(pointSurvives == (recovered is not null), $"after a crash at {step} the interrupted point was {(recovered is null ? "discarded" : "finished")}: {next}");
        if (recovered is not null)
        {
            foreach (var (target, image) in expectedAtCrash) File.Copy(image, scenario.Expected(target).PointImage(recovered));
            scenario.PointIds.Insert(scenario.PointIds.Count - 1, recovered);
        }
        // The run after the crash continued the chain: the interrupted one's bitmap was merged back or kept, never lost.
        var types = (await scenario.ListAsync()).Select(p => p.GetProperty("type").GetString()).ToList();
        Assert.Equal(pointSurvives ? ["full", "incremental", "incremental"] : ["full", "incremental"], types);

        await scenario.AssertEveryPointRestoresExactlyAsync();
        var verify = await Fibackup.RunAsync("verify", "--repository", scenario.Repository);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Empty(Directory.GetFiles(scenario.Repository, "*" + AtomicFile.PartialSuffix, SearchOption.AllDirectories));
        Assert.Equal([$"fibackup-{scenario.PointIds[^1]}"], await Checkpoints.OfAsync(scenario.Domain.Name));
    }
}
