using System.Text.Json.Nodes;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Libvirt;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// A running TCG domain with two small disks and what its guest should see on each (sparse raw
/// files, <see cref="ExpectedDisk"/>). After each VmBackup completes the test freezes the
/// expectation under the VmBackup's name; a VmRestore of that VmBackup must give exactly it.
/// Restored domains are named fibt-... and undefined on dispose, also after a failure.
/// </summary>
public sealed class GuestVm : IAsyncDisposable
{
    private readonly Dictionary<string, ExpectedDisk> expected = [];
    private readonly List<RestoredDomain> restored = [];

    private GuestVm(TestDomain domain, string work, long diskBytes)
    {
        Domain = domain;
        WorkDirectory = work;
        foreach (var disk in domain.Disks) expected[disk.Target] = new ExpectedDisk(work, disk.Target, diskBytes);
    }

    public TestDomain Domain { get; }
    public string Name => Domain.Name;
    public string WorkDirectory { get; }

    public static async Task<GuestVm> CreateAsync(LibvirtFixture libvirt, long diskBytes = 16L << 20)
    {
        var domain = await libvirt.CreateDomainAsync(disks: 2, diskBytes: diskBytes);
        var work = Path.Combine(domain.Directory, "work");
        Directory.CreateDirectory(work);
        return new GuestVm(domain, work, diskBytes);
    }

    /// <summary>A guest write through QEMU, recorded in the expectation.</summary>
    public async Task WriteAsync(string target, long offset, long length, byte pattern)
    {
        await Domain.WriteGuestPatternAsync(target, offset, length, pattern);
        expected[target].Write(offset, length, pattern);
    }

    /// <summary>
    /// What the guest had when <paramref name="backup"/> was taken (call once it completed, before
    /// new writes), kept under the VmBackup's name and under its restore point's id.
    /// </summary>
    public void Freeze(string backup, string? restorePoint = null)
    {
        foreach (var disk in expected.Values)
        {
            var saved = disk.SaveAs(backup);
            if (restorePoint is not null) File.Copy(saved, disk.PointImage(restorePoint));
        }
    }

    /// <summary>
    /// Creates a VmRestore of <paramref name="backup"/> to a new domain with kubectl, waits for
    /// condition Complete, and asserts every restored disk equals what the guest had at that backup.
    /// </summary>
    public async Task AssertRestoresExactlyAsync(OperatorCluster cluster, string backup, string? expectedAs = null)
    {
        expectedAs ??= backup;
        var target = $"{Name}-r{restored.Count}";
        var restoredDomain = new RestoredDomain(Domain.Connection, target);
        restored.Add(restoredDomain);
        var directory = Path.Combine(Domain.Directory, "restored-" + restored.Count);
        var restoreName = $"restore-{backup}".Length > 253 ? $"restore-{Guid.NewGuid():N}" : $"restore-{backup}";
        await cluster.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "fibackup.io/v1alpha1",
            ["kind"] = "VmRestore",
            ["metadata"] = new JsonObject { ["name"] = restoreName, ["namespace"] = OperatorCluster.Namespace },
            ["spec"] = new JsonObject
            {
                ["backupRef"] = new JsonObject { ["name"] = backup },
                ["target"] = new JsonObject { ["domain"] = target, ["directory"] = directory, ["start"] = false },
            },
        });
        await cluster.WaitAsync("condition=Complete", TimeSpan.FromMinutes(2), $"vmrestore/{restoreName}");
        await ArgoCdHealth.AssertAsync(cluster, "vmrestore", restoreName, "Healthy", saveAs: "succeeded");

        var status = (await cluster.GetRequiredAsync("vmrestore", restoreName))["status"]!;
        Assert.Equal("Succeeded", status["phase"]?.GetValue<string>());
        Assert.Equal(target, status["domain"]?.GetValue<string>());
        var files = status["disks"]!.AsArray().ToDictionary(d => d!["target"]!.GetValue<string>(), d => d!["file"]!.GetValue<string>());
        Assert.Equal(expected.Keys.Order(), files.Keys.Order());

        using var domain = restoredDomain.Lookup();
        var defined = FiBackup.Engine.Sources.Libvirt.DomainXmlDisks.Read(domain.GetXml(DomainXmlFlags.Inactive))
            .Where(d => d.Device == "disk").ToDictionary(d => d.Target, d => d.ActivePath);
        foreach (var (disk, file) in files)
        {
            Assert.Equal(file, defined[disk]);
            Assert.StartsWith(directory + "/", file);
            if (!await QemuImg.CompareAsync(file, expected[disk].PointImage(expectedAs), CancellationToken.None))
                throw new XunitException($"{target}: disk {disk} ({file}) restored from {backup} differs from what the guest of {Name} had then");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var domain in restored) await domain.DisposeAsync();
        await Domain.DisposeAsync();
    }
}
