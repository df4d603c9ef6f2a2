using System.Text.Json;
using System.Text.RegularExpressions;
using FiBackup.Engine.Tools;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Repositories;
using FiBackup.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A real TCG domain, a repository and the expected content of every disk at every restore point.
/// Tests write patterns through it (into the guest when running, into the active image when shut
/// off), back up through the real CLI, and restore every point to compare bytes.
/// </summary>
public sealed partial class BackupScenario : IAsyncDisposable
{
    public const long DiskBytes = 16L << 20;
    private readonly Dictionary<string, ExpectedDisk> expected = new();
    private readonly List<string> restoredDomains = [];

    private BackupScenario(TestDomain domain, string workDirectory)
    {
        Domain = domain;
        WorkDirectory = workDirectory;
        Repository = Path.Combine(workDirectory, "repository");
        foreach (var disk in domain.Disks)
            expected[disk.Target] = new ExpectedDisk(workDirectory, disk.Target, DiskBytes);
    }

    public TestDomain Domain { get; }
    public string WorkDirectory { get; }
    /// <summary>The repository backups, lists and restores use; a test may point it at a second one.</summary>
    public string Repository { get; set; }
    public List<string> PointIds { get; } = [];

    public static async Task<BackupScenario> CreateAsync(LibvirtFixture fixture, bool running = true, TestDomainOptions? options = null,
        Func<TestDisk, Task>? prepareTemplate = null)
    {
        var domain = await fixture.CreateDomainAsync(disks: 2, diskBytes: DiskBytes, start: false, options);
        var work = Path.Combine(domain.Directory, "work");
        Directory.CreateDirectory(work);
        var scenario = new BackupScenario(domain, work);
        if (prepareTemplate is not null)
        {
            foreach (var disk in domain.Disks.Where(d => d.TemplatePath is not null))
                await prepareTemplate(disk);
        }
        if (running) domain.Domain.Start();
        return scenario;
    }

    public ExpectedDisk Expected(string target) => expected[target];

    /// <summary>A write the guest makes: through qemu-io in the monitor when running, into the active image when shut off.</summary>
    public async Task WriteAsync(string target, long offset, long length, byte pattern)
    {
        if (Domain.Domain.IsActive)
            await Domain.WriteGuestPatternAsync(target, offset, length, pattern);
        else
            await ExternalTool.RunAsync("qemu-io", ["-f", FormatOfActiveImage(target), "-c", $"write -P 0x{pattern:x2} {offset} {length}", ActiveImage(target)], CancellationToken.None);
        expected[target].Write(offset, length, pattern);
    }

    private string FormatOfActiveImage(string target)
    {
        var disk = Domain.Disk(target);
        return ActiveImage(target) == disk.Path ? disk.Format : "qcow2";
    }

    /// <summary>Records what a template base under a disk holds (it is part of the guest's view).</summary>
    public void ExpectTemplateContent(string target, long offset, long length, byte pattern) => expected[target].Write(offset, length, pattern);

    /// <summary>The image the domain writes to now.</summary>
    public string ActiveImage(string target)
    {
        var xml = Domain.Domain.GetXml(Domain.Domain.IsActive ? DomainXmlFlags.None : DomainXmlFlags.Inactive);
        return FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(xml).Single(d => d.Target == target).ActivePath!;
    }

    /// <summary>Runs `fibackup backup` (in-process), expects success, and saves the expected content under the new point.</summary>
    public async Task<CliRun> BackupAsync(params string[] extra)
    {
        var run = await Fibackup.RunAsync(["backup", "--connect", LibvirtFixture.Uri, "--domain", Domain.Name, "--repository", Repository, .. extra]);
        Assert.True(run.ExitCode == 0, $"backup failed: {run}");
        var point = PointIdPattern().Match(run.Output);
        Assert.True(point.Success, $"no restore point id in the output: {run}");
        PointIds.Add(point.Groups[1].Value);
        foreach (var disk in expected.Values) disk.SaveAs(point.Groups[1].Value);
        return run;
    }

    /// <summary>
    /// Runs the engine's backup in this process against <paramref name="source"/> (e.g. one with
    /// other host images), expects success, and saves the expected content under the new point.
    /// </summary>
    public async Task<FiBackup.Engine.Backup.BackupResult> BackupThroughAsync(FiBackup.Engine.Sources.IVmSource source,
        FiBackup.Engine.Backup.BackupMode mode = FiBackup.Engine.Backup.BackupMode.Auto)
    {
        var result = await new FiBackup.Engine.Backup.BackupRunner(TimeProvider.System, new FiBackup.Engine.Repository.Locking.FileDomainLocks())
            .RunAsync(source, new FiBackup.Engine.Backup.BackupRequest { Domain = Domain.Name, RepositoryRoot = Repository, Mode = mode },
                progress: null, CancellationToken.None);
        PointIds.Add(result.PointId);
        foreach (var disk in expected.Values) disk.SaveAs(result.PointId);
        return result;
    }

    /// <summary>Points as `fibackup list --output json` shows them.</summary>
    public async Task<JsonElement[]> ListAsync()
    {
        var run = await Fibackup.RunAsync("list", "--repository", Repository, "--domain", Domain.Name, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToArray();
    }

    /// <summary>Restores the point as a new domain and asserts each disk equals the expected content of that point.</summary>
    public async Task AssertRestoresExactlyAsync(string pointId, params string[] extra)
    {
        var name = $"{Domain.Name}-r{restoredDomains.Count}";
        var target = Path.Combine(WorkDirectory, "restored-" + name);
        restoredDomains.Add(name);
        var run = await Fibackup.RunAsync(["restore", "--repository", Repository, "--domain", Domain.Name, "--point", pointId,
            "--target-dir", target, "--as", name, "--connect", LibvirtFixture.Uri, .. extra]);
        Assert.True(run.ExitCode == 0, $"restore of {pointId} failed: {run}");
        using var restored = Domain.Connection.LookupDomain(name);
        var disks = FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(restored.GetXml(DomainXmlFlags.Inactive))
            .Where(d => d.Device == "disk").ToList();
        Assert.Equal(expected.Keys.Order(), disks.Select(d => d.Target).Order());
        foreach (var disk in disks)
        {
            Assert.StartsWith(target + "/", disk.ActivePath);
            Assert.True(await QemuTools.SameContentAsync(disk.ActivePath!, expected[disk.Target].PointImage(pointId)),
                $"restored disk {disk.Target} of point {pointId} ({disk.ActivePath}) differs from what the guest had at that point");
        }
    }

    public async Task AssertEveryPointRestoresExactlyAsync(params string[] extra)
    {
        foreach (var point in PointIds) await AssertRestoresExactlyAsync(point, extra);
    }

    /// <summary>The live backing chain of a disk, active image first.</summary>
    public async Task<IReadOnlyList<string>> LiveChainAsync(string target) =>
        (await new FiBackup.Engine.Sources.Local.LocalHostImages().ReadChainAsync(ActiveImage(target), CancellationToken.None)).Select(c => c.Path).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var name in restoredDomains)
        {
            try
            {
                Domain.Connection.RemoveDomain(name);
            }
            catch (LibvirtException e)
            {
                await Console.Error.WriteLineAsync($"BackupScenario: could not remove {name}: {e.Message}");
            }
        }
        await Domain.DisposeAsync();
    }

    [GeneratedRegex(@"restore point (\d{8}T\d{6}Z)")]
    private static partial Regex PointIdPattern();
}
