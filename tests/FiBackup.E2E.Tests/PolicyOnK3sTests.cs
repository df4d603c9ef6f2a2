using System.Text.Json.Nodes;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace FiBackup.E2E.Tests;

/// <summary>
/// The product on a real Kubernetes: `fibackup operator` against k3s, a VmBackupPolicy applied with
/// kubectl, its VmBackup watched with `kubectl wait --for=condition=Complete`, and a VmRestore whose
/// disks must equal what the guest had when it was backed up.
/// </summary>
[Collection(K3sCollection.Name)]
public sealed class PolicyOnK3sTests(K3sCluster k3s, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [SkippableFact]
    public async Task A_policy_on_k3s_backs_up_a_domain_and_a_restore_of_its_VmBackup_is_byte_exact()
    {
        k3s.SkipUnlessRunning();
        await using var vm = await k3s.Libvirt.CreateDomainAsync(disks: 2, diskBytes: 16 * MiB);
        await vm.WriteGuestPatternAsync("vda", 0, 2 * MiB, 0x11);
        await vm.WriteGuestPatternAsync("vdb", 5 * MiB, MiB, 0x12);
        var restoredName = vm.Name + "-r";
        try
        {
            k3s.StartOperator();
            await k3s.ApplyAsync(Policy("k3s-nightly", vm.Name));
            await k3s.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), "vmbackuppolicy/k3s-nightly");
            var backup = await k3s.PollAsync("the run-now VmBackup of policy k3s-nightly", TimeSpan.FromSeconds(60), async () =>
                (await k3s.ListAsync("vmbackups", "fibackup.io/policy=k3s-nightly")).Select(K3sCluster.Name).SingleOrDefault());
            await k3s.WaitAsync("condition=Complete", TimeSpan.FromMinutes(3), $"vmbackup/{backup}");

            var status = (await k3s.GetAsync("vmbackup", backup))["status"]!;
            Assert.True(status["phase"]?.GetValue<string>() == "Succeeded", $"vmbackup/{backup}: {K3sCluster.Pretty(status)}");
            Assert.Equal("Full", status["type"]?.GetValue<string>());
            Assert.Matches(@"^\d{8}T\d{6}Z$", status["restorePoint"]?.GetValue<string>());
            Assert.Equal(K3sCluster.Claim, status["repository"]?["claimName"]?.GetValue<string>());

            // The restore point's manifest is in the claim's PersistentVolume, as the k3s node sees it.
            var point = status["restorePoint"]!.GetValue<string>();
            var host = status["repository"]?["host"]?.GetValue<string>() ?? throw new XunitException($"vmbackup/{backup} has no status.repository.host");
            var manifest = $"{host}/{vm.Name}/points/{point}.json";
            Assert.True(File.Exists(Path.Combine(k3s.ClaimDirectory, manifest)), $"{manifest} is not in {k3s.ClaimDirectory}");
            var onNode = await k3s.Container.ExecAsync(["cat", $"{K3sCluster.NodeClaimDirectory}/{manifest}"]);
            Assert.True(onNode.ExitCode == 0 && onNode.Stdout == await File.ReadAllTextAsync(Path.Combine(k3s.ClaimDirectory, manifest)),
                $"the k3s node does not see {manifest} in the PersistentVolume at {K3sCluster.NodeClaimDirectory}: {onNode.Stderr}");

            // No guest writes since the backup: what the guest sees now is the restore point's content.
            var expected = new Dictionary<string, string>();
            foreach (var disk in vm.Disks)
            {
                expected[disk.Target] = vm.PathIn($"expected-{disk.Target}.raw");
                await vm.ExportGuestDiskAsync(disk.Target, expected[disk.Target]);
            }

            var directory = vm.PathIn("restored");
            await k3s.ApplyAsync(new JsonObject
            {
                ["apiVersion"] = "fibackup.io/v1alpha1",
                ["kind"] = "VmRestore",
                ["metadata"] = new JsonObject { ["name"] = $"restore-{backup}", ["namespace"] = K3sCluster.Namespace },
                ["spec"] = new JsonObject
                {
                    ["backupRef"] = new JsonObject { ["name"] = backup },
                    ["target"] = new JsonObject { ["domain"] = restoredName, ["directory"] = directory, ["start"] = false },
                },
            });
            await k3s.WaitAsync("condition=Complete", TimeSpan.FromMinutes(2), $"vmrestore/restore-{backup}");
            var restore = (await k3s.GetAsync("vmrestore", $"restore-{backup}"))["status"]!;
            Assert.True(restore["phase"]?.GetValue<string>() == "Succeeded", $"vmrestore/restore-{backup}: {K3sCluster.Pretty(restore)}");
            Assert.Equal(restoredName, restore["domain"]?.GetValue<string>());
            var files = restore["disks"]!.AsArray().ToDictionary(d => d!["target"]!.GetValue<string>(), d => d!["file"]!.GetValue<string>());
            Assert.Equal(expected.Keys.Order(), files.Keys.Order());
            foreach (var (target, file) in files)
            {
                Assert.StartsWith(directory + "/", file);
                if (!await QemuImg.CompareAsync(file, expected[target], CancellationToken.None))
                    throw new XunitException($"{restoredName}: disk {target} ({file}) restored from {backup} differs from what the guest of {vm.Name} had then");
            }
        }
        finally
        {
            RemoveDomain(vm.Connection, restoredName);
            output.WriteLine(k3s.OperatorLogs());
        }
    }

    /// <summary>A policy for one domain of the host's libvirtd into the claim, run once at once (run-now), never by its schedule.</summary>
    private static JsonObject Policy(string name, string domain) => new()
    {
        ["apiVersion"] = "fibackup.io/v1alpha1",
        ["kind"] = "VmBackupPolicy",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = K3sCluster.Namespace,
            ["annotations"] = new JsonObject { ["fibackup.io/run-now"] = "first" },
        },
        ["spec"] = new JsonObject
        {
            ["source"] = new JsonObject { ["libvirt"] = new JsonObject { ["uri"] = LibvirtFixture.Uri } },
            ["domains"] = new JsonObject { ["names"] = new JsonArray(domain) },
            // 1 January at 03:00: never due while a test runs.
            ["schedule"] = "0 3 1 1 *",
            ["destination"] = new JsonObject { ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = K3sCluster.Claim } },
            ["quiesce"] = "Disabled",
        },
    };

    /// <summary>The restored domain is named fibt-... and must not outlive the test, also after a failure.</summary>
    private void RemoveDomain(LibvirtConnection connection, string name)
    {
        try
        {
            connection.RemoveDomain(name);
        }
        catch (LibvirtException e)
        {
            output.WriteLine($"could not remove the restored domain {name}: {e.Message}");
        }
    }
}
