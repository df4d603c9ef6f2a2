using System.Text.Json.Nodes;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Operator.Tests.E2E;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Ssh;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.Remote;

/// <summary>
/// The operator backing up a host it reaches only over qemu+ssh, logging in with a
/// kubernetes.io/ssh-auth Secret (spec.source.libvirt.credentialsSecretRef): the sshd of the test
/// (127.0.0.1, keys of its own) accepts only the Secret's key, and its host key is only in the
/// Secret's known_hosts, so nothing of this machine's ssh setup could have logged in instead.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class RemotePolicyE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_policy_with_an_ssh_Secret_backs_up_over_qemu_ssh_and_the_restore_is_byte_exact()
    {
        using var sshd = await LoopbackSshd.StartAsync();
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        await vm.WriteAsync("vda", 0, 2 * MiB, 0x51);
        await vm.WriteAsync("vdb", 3 * MiB, MiB, 0x52);
        await cluster.KubectlOkAsync("create", "secret", "generic", "hv1-ssh", "-n", OperatorCluster.Namespace, "--type=kubernetes.io/ssh-auth",
            $"--from-file=ssh-privatekey={sshd.ClientKeyPath}", $"--from-file=known_hosts={sshd.KnownHostsPath}");
        cluster.StartOperator();

        var uri = $"qemu+ssh://root@127.0.0.1:{sshd.Port}/system";
        await cluster.ApplyAsync(RemotePolicy("remote", vm.Name, uri, "hv1-ssh", runNow: "first"));
        await cluster.WaitAsync("condition=Ready", TimeSpan.FromSeconds(60), "vmbackuppolicy/remote");
        var first = await cluster.FirstBackupOfAsync("remote");
        var full = Assert.Single(await cluster.WaitBackupsCompleteAsync([first]));
        vm.Freeze(first);
        Assert.Equal("Succeeded", OperatorCluster.Phase(full));
        Assert.Equal("Full", full["status"]!["type"]?.GetValue<string>());
        Assert.Equal(uri, full["status"]!["repository"]!["libvirtUri"]?.GetValue<string>());
        Assert.Equal("hv1-ssh", full["status"]!["repository"]!["credentialsSecretRef"]?["name"]?.GetValue<string>());
        Assert.True(await sshd.WaitForLogAsync("Accepted publickey for root"), $"the backup did not log in through the test's sshd:\n{sshd.Log}");

        await vm.WriteAsync("vda", MiB, 2 * MiB, 0x53);
        var second = (await cluster.RunNowAsync("remote", domains: 1))[vm.Name];
        var incremental = Assert.Single(await cluster.WaitBackupsCompleteAsync([second]));
        vm.Freeze(second);
        Assert.Equal("Incremental", incremental["status"]!["type"]?.GetValue<string>());

        // The restore goes to the recorded host with the recorded Secret: uploaded through libvirt.
        await vm.AssertRestoresExactlyAsync(cluster, first);
        await vm.AssertRestoresExactlyAsync(cluster, second);
    }

    [Fact]
    public async Task A_missing_Secret_a_Secret_without_known_hosts_and_a_wrong_host_key_each_name_what_is_wrong()
    {
        using var sshd = await LoopbackSshd.StartAsync();
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        var uri = $"qemu+ssh://root@127.0.0.1:{sshd.Port}/system";
        await cluster.KubectlOkAsync("create", "secret", "generic", "no-known-hosts", "-n", OperatorCluster.Namespace, "--type=kubernetes.io/ssh-auth",
            $"--from-file=ssh-privatekey={sshd.ClientKeyPath}");
        // A known_hosts line for this address with another host's key: an impostor as far as ssh can tell.
        var otherKey = Path.Combine(sshd.Directory, "other_ed25519");
        await FiBackup.Testing.Libvirt.HostTool.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey);
        var wrongKnownHosts = Path.Combine(sshd.Directory, "wrong_known_hosts");
        await File.WriteAllTextAsync(wrongKnownHosts, $"[127.0.0.1]:{sshd.Port} {(await File.ReadAllTextAsync(otherKey + ".pub")).Trim()}\n");
        await cluster.KubectlOkAsync("create", "secret", "generic", "wrong-host-key", "-n", OperatorCluster.Namespace, "--type=kubernetes.io/ssh-auth",
            $"--from-file=ssh-privatekey={sshd.ClientKeyPath}", $"--from-file=known_hosts={wrongKnownHosts}");
        cluster.StartOperator();

        await cluster.ApplyAsync(RemotePolicy("missing", vm.Name, uri, "hv9-ssh"));
        await cluster.ApplyAsync(RemotePolicy("unverified", vm.Name, uri, "no-known-hosts"));
        await cluster.ApplyAsync(RemotePolicy("impostor", vm.Name, uri, "wrong-host-key"));

        var missing = await NotReadyAsync(cluster, "missing");
        Assert.Equal("SecretNotFound", missing.Reason);
        Assert.Equal("spec.source.libvirt.credentialsSecretRef.name: Secret \"hv9-ssh\" not found in namespace \"vm-backups\"", missing.Message);
        var unverified = await NotReadyAsync(cluster, "unverified");
        Assert.Equal("InvalidSpec", unverified.Reason);
        Assert.StartsWith("spec.source.libvirt.credentialsSecretRef.name: Secret vm-backups/no-known-hosts has no known_hosts", unverified.Message);
        var impostor = await NotReadyAsync(cluster, "impostor");
        output.WriteLine($"impostor: {impostor.Reason}: {impostor.Message}");
        Assert.Contains("Host key verification failed", impostor.Message);
        Assert.Contains("the known_hosts of Secret vm-backups/wrong-host-key", impostor.Message);
        // The key file and known_hosts the URI names are never shown.
        foreach (var message in new[] { missing.Message, unverified.Message, impostor.Message })
            Assert.DoesNotContain("fibackup-ssh-", message);
        Assert.DoesNotContain("Accepted publickey", sshd.Log);
        Assert.Empty(await cluster.ListAsync("vmbackups"));
    }

    private static JsonObject RemotePolicy(string name, string domain, string uri, string secret, string? runNow = null)
    {
        var policy = Policies.For(name, [domain], runNow);
        policy.Spec()["source"] = new JsonObject
        {
            ["libvirt"] = new JsonObject { ["uri"] = uri, ["credentialsSecretRef"] = new JsonObject { ["name"] = secret } },
        };
        return policy;
    }

    private static async Task<(string Reason, string Message)> NotReadyAsync(OperatorCluster cluster, string policy)
    {
        var ready = await cluster.PollAsync($"policy {policy} Ready=False", TimeSpan.FromSeconds(60), async () =>
        {
            var conditions = (await cluster.GetRequiredAsync("vmbackuppolicy", policy))["status"]?["conditions"]?.AsArray();
            return conditions?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "False") as JsonObject;
        });
        return (ready["reason"]!.GetValue<string>(), ready["message"]!.GetValue<string>());
    }
}
