using System.Text.Json;
using System.Text.RegularExpressions;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Repositories;
using FiBackup.Testing.Ssh;

namespace FiBackup.Operator.Tests.Remote;

/// <summary>
/// A TCG domain on this machine reached as a remote host: every fibackup command goes through
/// qemu+ssh://root@127.0.0.1:PORT/system (an sshd of the test's own) and runs where the domain's
/// directory is hidden (<see cref="HiddenImagesCli"/>). The repository and the expected content of
/// every point live outside that directory. Restores go into a directory inside it, so the
/// restored images too can only have arrived through libvirt.
/// </summary>
public sealed partial class RemoteScenario : IAsyncDisposable
{
    public const long DiskBytes = 16L << 20;
    private readonly Dictionary<string, ExpectedDisk> expected = new();
    private readonly List<string> restoredDomains = [];

    private RemoteScenario(TestDomain domain, LoopbackSshd sshd, string work)
    {
        Domain = domain;
        Sshd = sshd;
        WorkDirectory = work;
        Repository = Path.Combine(work, "repository");
        foreach (var disk in domain.Disks) expected[disk.Target] = new ExpectedDisk(work, disk.Target, DiskBytes);
    }

    public TestDomain Domain { get; }
    public LoopbackSshd Sshd { get; }
    public string Uri => Sshd.LibvirtUri;
    /// <summary>Outside the domain's (hidden) directory: repository and expected images.</summary>
    public string WorkDirectory { get; }
    public string Repository { get; }
    public List<string> PointIds { get; } = [];

    public static async Task<RemoteScenario> CreateAsync(LibvirtFixture fixture, bool running, TestDomainOptions? options = null)
    {
        var sshd = await LoopbackSshd.StartAsync();
        try
        {
            var domain = await fixture.CreateDomainAsync(disks: 2, diskBytes: DiskBytes, start: running, options);
            var work = Path.Combine(fixture.Root, "remote-work-" + domain.Name);
            Directory.CreateDirectory(work);
            return new RemoteScenario(domain, sshd, work);
        }
        catch
        {
            sshd.Dispose();
            throw;
        }
    }

    /// <summary>Records what a template base under a disk holds (part of the guest's view).</summary>
    public void ExpectTemplateContent(string target, long offset, long length, byte pattern) => expected[target].Write(offset, length, pattern);

    /// <summary>A guest write: qemu-io in the monitor when running, into the active image when shut off (the test sees the host's files).</summary>
    public async Task WriteAsync(string target, long offset, long length, byte pattern)
    {
        if (Domain.Domain.IsActive)
            await Domain.WriteGuestPatternAsync(target, offset, length, pattern);
        else
            await ExternalTool.RunAsync("qemu-io", ["-f", "qcow2", "-c", $"write -P 0x{pattern:x2} {offset} {length}", ActiveImage(target)], CancellationToken.None);
        expected[target].Write(offset, length, pattern);
    }

    public string ActiveImage(string target)
    {
        var xml = Domain.Domain.GetXml(Domain.Domain.IsActive ? DomainXmlFlags.None : DomainXmlFlags.Inactive);
        return FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(xml).Single(d => d.Target == target).ActivePath!;
    }

    /// <summary>The disk's backing chain as qemu-img reads it from the headers (the test sees the host's files), active image first.</summary>
    public async Task<IReadOnlyList<string>> ChainAsync(string target) =>
        (await new FiBackup.Engine.Sources.Local.LocalHostImages().ReadChainAsync(ActiveImage(target), CancellationToken.None)).Select(c => c.Path).ToList();

    /// <summary>Any fibackup command through the namespace that hides the domain's directory.</summary>
    public Task<CliRun> RunAsync(params string[] args) => HiddenImagesCli.RunAsync(Domain.Directory, HideReadOnly, args);

    /// <summary>Hides the directory under a read-only tmpfs: this process may not write where the host's images are.</summary>
    public bool HideReadOnly { get; set; }

    public Task<CliRun> StartBackup(params string[] extra) =>
        RunAsync(["backup", "--connect", Uri, "--domain", Domain.Name, "--repository", Repository, .. extra]);

    /// <summary>`fibackup backup` over ssh; expects success and saves the expected content under the new point.</summary>
    public async Task<CliRun> BackupAsync(params string[] extra)
    {
        var run = await StartBackup(extra);
        Assert.True(run.ExitCode == 0, $"backup over ssh failed: {run}");
        AssertNoCredentials(run.Output + run.Error, "the backup's output");
        var point = PointIdPattern().Match(run.Output);
        Assert.True(point.Success, $"no restore point id in the output: {run}");
        PointIds.Add(point.Groups[1].Value);
        foreach (var disk in expected.Values) disk.SaveAs(point.Groups[1].Value);
        return run;
    }

    /// <summary>Keeps what every disk holds now under <paramref name="label"/>, for a point whose id is known only later (one a recovery finishes).</summary>
    public void SaveExpected(string label)
    {
        foreach (var disk in expected.Values) disk.SaveAs(label);
    }

    /// <summary>Makes the content saved under <paramref name="label"/> the expected content of restore point <paramref name="pointId"/>.</summary>
    public void ExpectPointAs(string pointId, string label)
    {
        foreach (var disk in expected.Values) File.Move(disk.PointImage(label), disk.PointImage(pointId));
        PointIds.Insert(0, pointId);
    }

    public async Task<JsonElement[]> ListAsync()
    {
        var run = await RunAsync("list", "--repository", Repository, "--domain", Domain.Name, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToArray();
    }

    /// <summary>
    /// Restores the point over ssh as a new domain with its images in a directory inside the hidden
    /// one (uploaded through libvirt), then compares each disk with what the guest had at that point.
    /// </summary>
    public async Task AssertRestoresExactlyAsync(string pointId, params string[] extra)
    {
        var name = $"{Domain.Name}-r{restoredDomains.Count}";
        var target = Path.Combine(Domain.Directory, "restored-" + name);
        restoredDomains.Add(name);
        var run = await RunAsync(["restore", "--repository", Repository, "--domain", Domain.Name, "--point", pointId,
            "--target-dir", target, "--as", name, "--connect", Uri, .. extra]);
        Assert.True(run.ExitCode == 0, $"restore of {pointId} over ssh failed: {run}");
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

    /// <summary>Neither the key's path nor the URI's query (keyfile=, command=) may show up in what fibackup prints or records.</summary>
    public void AssertNoCredentials(string text, string where)
    {
        Assert.False(text.Contains(Sshd.ClientKeyPath, StringComparison.Ordinal), $"{where} names the private key file: {text}");
        Assert.False(text.Contains("keyfile=", StringComparison.Ordinal), $"{where} contains the URI's query: {text}");
        Assert.False(text.Contains(File.ReadAllText(Sshd.ClientKeyPath).Split('\n')[1], StringComparison.Ordinal), $"{where} contains the private key");
    }

    /// <summary>Every manifest, journal and other text file of the repository, checked with <see cref="AssertNoCredentials"/>.</summary>
    public void AssertRepositoryHoldsNoCredentials()
    {
        foreach (var file in Directory.EnumerateFiles(Repository, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".qcow2", StringComparison.Ordinal)))
            AssertNoCredentials(File.ReadAllText(file), file);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in restoredDomains)
        {
            try { Domain.Connection.RemoveDomain(name); }
            catch (LibvirtException e) { await Console.Error.WriteLineAsync($"RemoteScenario: could not remove {name}: {e.Message}"); }
        }
        await Domain.DisposeAsync();
        Sshd.Dispose();
        try { Directory.Delete(WorkDirectory, recursive: true); }
        catch (IOException e) { await Console.Error.WriteLineAsync($"RemoteScenario: could not delete {WorkDirectory}: {e.Message}"); }
    }

    [GeneratedRegex(@"restore point (\d{8}T\d{6}Z)")]
    private static partial Regex PointIdPattern();
}
