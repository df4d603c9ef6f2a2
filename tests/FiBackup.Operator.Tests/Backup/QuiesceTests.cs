using System.Text.Json;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// --quiesce against guests that cannot be quiesced, with both techniques: the test domains have no
/// guest OS, so no guest agent ever answers, whether or not the domain has the agent's channel.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class QuiesceTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Required_quiesce_without_a_guest_agent_fails_and_changes_nothing(bool agentChannel)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { GuestAgentChannel = agentChannel });
        await scenario.WriteAsync("vda", 0, MiB, 0x31);
        var before = await UntouchedState.CaptureAsync(scenario);

        var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
            "--repository", scenario.Repository, "--quiesce", "required");

        CliError.AssertFailed(run, CliError.Failure, "--quiesce", "nothing was changed");
        await before.AssertUnchangedAsync(scenario, run);
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x31);
    }

    [Fact]
    public async Task Preferred_quiesce_without_a_guest_agent_takes_a_crash_consistent_point_with_a_warning()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { GuestAgentChannel = true });
        await scenario.WriteAsync("vda", 0, MiB, 0x32);
        await scenario.WriteAsync("vdb", 2 * MiB, MiB, 0x33);

        var run = await scenario.BackupAsync("--quiesce", "preferred");

        Assert.Contains("fibackup: warning: could not quiesce the guest", run.Error);
        Assert.Contains("crash-consistent", run.Error);
        Assert.DoesNotContain("quiesced", run.Output);
        var point = Assert.Single(await scenario.ListAsync());
        Assert.Equal(scenario.PointIds[0], point.GetProperty("id").GetString());
        Assert.False(ManifestOf(scenario, point).GetProperty("quiesced").GetBoolean());
        await scenario.AssertRestoresExactlyAsync(scenario.PointIds[0]);
    }

    [Theory]
    [InlineData("required")]
    [InlineData("preferred")]
    public async Task A_snapshot_failure_that_is_not_the_guest_agent_keeps_its_own_reason_and_libvirts_message(string quiesce)
    {
        // A disk file name so long that its overlay's name exceeds NAME_MAX: libvirt cannot stat the
        // overlay path ("File name too long") and refuses the snapshot before it asks the guest agent.
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions
        {
            GuestAgentChannel = true,
            DiskFileNames = new Dictionary<string, string> { ["vda"] = new string('a', 240) + ".qcow2" },
        });
        await scenario.WriteAsync("vda", 0, MiB, 0x34);
        var before = await UntouchedState.CaptureAsync(scenario);

        var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
            "--repository", scenario.Repository, "--quiesce", quiesce);

        var error = CliError.AssertFailed(run, CliError.Failure, $"snapshot of domain {scenario.Domain.Name} failed, nothing was changed", "File name too long");
        Assert.DoesNotContain("quiesce", error);
        Assert.DoesNotContain("could not quiesce", run.Error);
        await before.AssertUnchangedAsync(scenario, run);
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x34);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Required_quiesce_with_the_bitmap_technique_without_a_guest_agent_fails_and_changes_nothing(bool agentChannel)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { GuestAgentChannel = agentChannel });
        await scenario.WriteAsync("vda", 0, MiB, 0x41);
        var before = await UntouchedState.CaptureAsync(scenario);

        var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
            "--repository", scenario.Repository, "--technique", "bitmap", "--quiesce", "required");

        CliError.AssertFailed(run, CliError.Failure, "--quiesce", "nothing was changed");
        await before.AssertUnchangedAsync(scenario, run);
        Assert.Empty(await Checkpoints.OfAsync(scenario.Domain.Name));
        Assert.Empty(Directory.GetFiles(scenario.Repository, "*.partial", SearchOption.AllDirectories));
        await scenario.Domain.AssertGuestPatternAsync("vda", 0, MiB, 0x41);
    }

    [Fact]
    public async Task Preferred_quiesce_with_the_bitmap_technique_without_a_guest_agent_takes_a_crash_consistent_point_with_a_warning()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { GuestAgentChannel = true });
        await scenario.WriteAsync("vda", 0, MiB, 0x42);
        await scenario.BackupAsync("--technique", "bitmap", "--quiesce", "preferred");
        await scenario.WriteAsync("vdb", 2 * MiB, MiB, 0x43);

        var run = await scenario.BackupAsync("--technique", "bitmap", "--quiesce", "preferred");

        Assert.Contains("fibackup: warning: could not quiesce the guest", run.Error);
        Assert.Contains("crash-consistent", run.Error);
        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        Assert.All(points, p => Assert.False(ManifestOf(scenario, p).GetProperty("quiesced").GetBoolean()));
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }

    /// <summary>`list` does not show whether a point is quiesced; its manifest (docs/repository-format.md) does.</summary>
    private static JsonElement ManifestOf(BackupScenario scenario, JsonElement listed)
    {
        var path = Path.Combine(scenario.Repository, listed.GetProperty("host").GetString()!, scenario.Domain.Name,
            "points", listed.GetProperty("id").GetString() + ".json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }
}
