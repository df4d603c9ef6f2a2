using System.Text.Json.Nodes;
using FiBackup.Operator.Tests.Backup;
using FiBackup.Testing.Kubelet;
using FiBackup.Testing.Libvirt;
using Xunit.Abstractions;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// `fibackup operator --mover job`: every backup and restore runs as `fibackup mover ...` in a
/// batch/v1 Job, whose pod the local kubelet runs as a process beside the real libvirtd.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class JobMoverE2ETests(LibvirtFixture libvirt, ITestOutputHelper output)
{
    private const long MiB = 1 << 20;
    private const string Node = "hv1";

    private static LocalKubelet StartKubelet(OperatorCluster cluster)
    {
        var kubelet = LocalKubelet.Start(cluster.Api, new LocalKubeletOptions
        {
            NodeName = Node,
            ClaimsDirectory = cluster.ClaimsDirectory,
            // The image's entrypoint `fibackup` is the fibackup built beside the tests.
            Commands = new Dictionary<string, IReadOnlyList<string>>
            {
                ["fibackup"] = ["dotnet", Path.Combine(AppContext.BaseDirectory, "fibackup.dll")],
            },
        });
        cluster.MoreLogs = kubelet.Logs;
        return kubelet;
    }

    /// <summary>
    /// The chart with mover.type=job, installed by Helm; the operator runs with its Deployment's arguments
    /// and the operator ServiceAccount's token, the movers with the mover ServiceAccount's: every request
    /// of both is checked against the chart's roles.
    /// </summary>
    private static async Task<ChartRelease> StartJobOperatorAsync(OperatorCluster cluster, Func<ChartRelease, Task>? beforeStart = null, int startTimeoutSeconds = 60)
    {
        var release = await ChartRelease.InstallAsync(cluster, "mover.type=job", $"mover.startTimeoutSeconds={startTimeoutSeconds}");
        if (beforeStart is not null) await beforeStart(release);
        release.StartOperator();
        return release;
    }

    private static JsonObject Policy(string name, string domain, string runNow)
    {
        var policy = Policies.For(name, [domain], runNow: runNow);
        policy.Spec()["source"]!["libvirt"]!["nodeName"] = Node;
        return policy;
    }

    private async Task<JsonObject> JobAsync(OperatorCluster cluster, string name) => await cluster.GetRequiredAsync("job", name);

    [Fact]
    public async Task A_backup_and_a_restore_run_in_Jobs_on_the_libvirt_node_and_the_restore_is_byte_exact()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var kubelet = StartKubelet(cluster);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        await vm.WriteAsync("vda", 0, 2 * MiB, 0x41);
        await vm.WriteAsync("vdb", 3 * MiB, MiB, 0x42);
        await StartJobOperatorAsync(cluster);

        await cluster.ApplyAsync(Policy("jobs", vm.Name, "first"));
        var backup = await cluster.FirstBackupOfAsync("jobs");
        var done = (await cluster.WaitBackupsCompleteAsync([backup])).Single();
        vm.Freeze(backup);

        var status = done["status"]!;
        Assert.Equal("Succeeded", status["phase"]?.GetValue<string>());
        Assert.Equal("Full", status["type"]?.GetValue<string>());
        Assert.Equal("100%", status["progress"]?["percentText"]?.GetValue<string>());
        var jobName = status["mover"]!["job"]!.GetValue<string>();
        Assert.Equal($"fibackup-backup-{backup}-1".Length <= 63 ? $"fibackup-backup-{backup}-1" : jobName, jobName);
        Assert.Equal("Succeeded", status["mover"]!["result"]?.GetValue<string>());
        Assert.StartsWith(jobName + "-", status["mover"]!["pod"]!.GetValue<string>());

        // The Job as kubectl shows it: owned by the VmBackup, on the libvirt host's node, Complete (its pod
        // exits just after the mover wrote its result, which is what the operator goes by).
        await cluster.WaitAsync("condition=Complete", TimeSpan.FromSeconds(30), $"job/{jobName}");
        var job = await JobAsync(cluster, jobName);
        var owner = job["metadata"]!["ownerReferences"]!.AsArray().Single()!;
        Assert.Equal(("VmBackup", backup, true), (owner["kind"]!.GetValue<string>(), owner["name"]!.GetValue<string>(), owner["controller"]!.GetValue<bool>()));
        Assert.Equal(done["metadata"]!["uid"]!.GetValue<string>(), owner["uid"]!.GetValue<string>());
        Assert.Equal(Node, job["spec"]!["template"]!["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Equal(ChartRelease.MoverServiceAccount, job["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Equal(1, job["status"]!["succeeded"]!.GetValue<int>());

        // Exactly the one point, in the claim the Job mounted.
        Assert.Equal([status["restorePoint"]!.GetValue<string>()], await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));

        // The restore runs in a Job too, and gives back what the guest had.
        await vm.AssertRestoresExactlyAsync(cluster, backup);
        var restore = await cluster.GetRequiredAsync("vmrestore", $"restore-{backup}");
        var restoreJobName = restore["status"]!["mover"]!["job"]!.GetValue<string>();
        await cluster.WaitAsync("condition=Complete", TimeSpan.FromSeconds(30), $"job/{restoreJobName}");
        var restoreJob = await JobAsync(cluster, restoreJobName);
        Assert.Equal("VmRestore", restoreJob["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal(1, restoreJob["status"]!["succeeded"]!.GetValue<int>());
        output.WriteLine(kubelet.Logs());
    }

    [Fact]
    public async Task A_mover_Job_logs_in_to_a_qemu_ssh_host_with_the_policys_Secret_under_the_charts_roles()
    {
        using var sshd = await FiBackup.Testing.Ssh.LoopbackSshd.StartAsync();
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var kubelet = StartKubelet(cluster);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        await vm.WriteAsync("vda", MiB, 3 * MiB, 0x61);
        await cluster.KubectlOkAsync("create", "secret", "generic", "hv1-ssh", "-n", OperatorCluster.Namespace, "--type=kubernetes.io/ssh-auth",
            $"--from-file=ssh-privatekey={sshd.ClientKeyPath}", $"--from-file=known_hosts={sshd.KnownHostsPath}");
        await StartJobOperatorAsync(cluster);

        var policy = Policy("remote-jobs", vm.Name, "first");
        policy.Spec()["source"]!["libvirt"]!["uri"] = $"qemu+ssh://root@127.0.0.1:{sshd.Port}/system";
        policy.Spec()["source"]!["libvirt"]!["credentialsSecretRef"] = new JsonObject { ["name"] = "hv1-ssh" };
        await cluster.ApplyAsync(policy);
        var backup = await cluster.FirstBackupOfAsync("remote-jobs");
        var done = (await cluster.WaitBackupsCompleteAsync([backup])).Single();
        vm.Freeze(backup);

        Assert.Equal("Succeeded", done["status"]!["phase"]?.GetValue<string>());
        Assert.Equal("Succeeded", done["status"]!["mover"]!["result"]?.GetValue<string>());
        // The operator listed domains and the mover pod copied, each logging in with the Secret's key.
        Assert.True(await sshd.WaitForLogAsync("Accepted publickey for root", times: 2), sshd.Log);
        await vm.AssertRestoresExactlyAsync(cluster, backup);
    }

    [Fact]
    public async Task A_mover_killed_mid_copy_fails_the_attempt_naming_its_Job_and_the_retry_makes_exactly_one_point()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var kubelet = StartKubelet(cluster);
        await using var vm = await GuestVm.CreateAsync(libvirt, diskBytes: 32 * MiB);
        // 32 MiB at 2 MiB/s: a copy of about 16 s, long enough to be caught in the middle.
        await vm.WriteAsync("vda", 0, 16 * MiB, 0x51);
        await vm.WriteAsync("vdb", 8 * MiB, 16 * MiB, 0x52);
        await StartJobOperatorAsync(cluster);
        var policy = Policy("slow", vm.Name, "now");
        policy.Spec()["bandwidthLimit"] = "2Mi";
        policy.Spec()["backoffLimit"] = 2;
        await cluster.ApplyAsync(policy);
        var backup = await cluster.FirstBackupOfAsync("slow");

        // Copying is written by the mover itself; then its process gets a SIGKILL.
        await cluster.WaitAsync("jsonpath={.status.step}=Copying", TimeSpan.FromSeconds(90), $"vmbackup/{backup}");
        var copying = await cluster.GetRequiredAsync("vmbackup", backup);
        var firstJob = copying["status"]!["mover"]!["job"]!.GetValue<string>();
        var pod = copying["status"]!["mover"]!["pod"]!.GetValue<string>();
        Assert.NotNull(copying["status"]!["progress"]?["bytesDone"]);
        await kubelet.KillPodAsync(OperatorCluster.Namespace, pod);

        // The attempt fails with the reason, naming the Job and its pod's exit code; a retry is scheduled.
        var retrying = await cluster.WaitBackupAsync(backup, "a failed attempt recorded (the killed mover)", TimeSpan.FromSeconds(60), b => OperatorCluster.Failures(b) >= 1);
        var progressing = retrying["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Progressing")!;
        output.WriteLine($"after the kill: {progressing.ToJsonString()}");
        Assert.Equal("Retrying", progressing["reason"]!.GetValue<string>());
        Assert.Contains("(MoverFailed)", progressing["message"]!.GetValue<string>());
        Assert.Contains($"Job {firstJob} failed", progressing["message"]!.GetValue<string>());
        Assert.Contains("exited with code 137", progressing["message"]!.GetValue<string>());
        var failedJob = await JobAsync(cluster, firstJob);
        Assert.Contains(failedJob["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "Failed" && c["reason"]!.GetValue<string>() == "BackoffLimitExceeded");

        // The next attempt, in a new Job, finishes or undoes the killed one and makes exactly one point.
        var done = (await cluster.WaitBackupsCompleteAsync([backup])).Single();
        output.WriteLine($"completed: {done["status"]!.ToJsonString()}");
        Assert.Equal("Succeeded", done["status"]!["phase"]?.GetValue<string>());
        Assert.NotEqual(firstJob, done["status"]!["mover"]!["job"]!.GetValue<string>());
        vm.Freeze(backup);
        Assert.Equal([done["status"]!["restorePoint"]!.GetValue<string>()], await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
        Assert.Single(await cluster.BackupsOfAsync("slow"));

        // The VM runs on a valid chain and its guest still reads what it wrote.
        foreach (var disk in vm.Domain.Disks)
            await HostTool.RunAsync("qemu-img", "info", "-U", "--backing-chain", vm.Domain.LiveChain(disk.Target)[0]);
        await vm.Domain.AssertGuestPatternAsync("vda", 0, 16 * MiB, 0x51);
        await vm.Domain.AssertGuestPatternAsync("vdb", 8 * MiB, 16 * MiB, 0x52);
        await vm.AssertRestoresExactlyAsync(cluster, backup);
    }

    /// <summary>A cluster with the chart installed less one rule, its operator, and the VmBackup of a run-now policy.</summary>
    private sealed record DeniedRun(OperatorCluster Cluster, LocalKubelet Kubelet, GuestVm Vm, string Backup) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Vm.DisposeAsync();
            await Kubelet.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private async Task<DeniedRun> StartWithoutRuleAsync(string roleKind, string role, string resource)
    {
        var cluster = await OperatorCluster.StartAsync(output);
        LocalKubelet? kubelet = null;
        GuestVm? vm = null;
        try
        {
            kubelet = StartKubelet(cluster);
            vm = await GuestVm.CreateAsync(libvirt);
            await vm.WriteAsync("vda", 0, MiB, 0x61);
            await StartJobOperatorAsync(cluster, async release =>
                output.WriteLine($"removed from {roleKind} {role}: {await release.RemoveRuleAsync(roleKind, role, resource)}"));
            var policy = Policy("denied", vm.Name, "now");
            policy.Spec()["backoffLimit"] = 0;
            await cluster.ApplyAsync(policy);
            var backup = await cluster.FirstBackupOfAsync("denied");
            return new DeniedRun(cluster, kubelet, vm, backup);
        }
        catch
        {
            if (vm is not null) await vm.DisposeAsync();
            if (kubelet is not null) await kubelet.DisposeAsync();
            await cluster.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_mover_role_without_its_status_rule_fails_the_backup_with_the_403_in_its_condition()
    {
        await using var run = await StartWithoutRuleAsync("role", ChartRelease.MoverServiceAccount, "vmbackups/status");
        var (cluster, _, vm, backup) = run;

        var failed = await cluster.WaitBackupAsync(backup, "Failed", TimeSpan.FromSeconds(90), b => OperatorCluster.Phase(b) == "Failed");
        var condition = failed["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Failed")!;
        var message = condition["message"]!.GetValue<string>();
        output.WriteLine($"Failed: {condition.ToJsonString()}");
        Assert.Equal("MoverFailed", condition["reason"]!.GetValue<string>());
        Assert.Contains("the API server answered 403", message);
        Assert.Contains($"User \"system:serviceaccount:{OperatorCluster.Namespace}:{ChartRelease.MoverServiceAccount}\" cannot patch resource \"vmbackups/status\"", message);
        Assert.Empty(await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
    }

    [Fact]
    public async Task An_operator_role_without_its_jobs_rule_runs_no_backup_and_logs_the_403()
    {
        await using var run = await StartWithoutRuleAsync("clusterrole", ChartRelease.FullName, "jobs");
        var (cluster, _, vm, backup) = run;

        // The Job informer cannot list, so the operator never syncs and never starts a Job; its log says why, in one line.
        var denial = $"List of jobs.batch failed: the API server answered 403: jobs.batch is forbidden: User \"system:serviceaccount:{OperatorCluster.Namespace}:{ChartRelease.FullName}\" cannot list resource \"jobs\" in API group \"batch\" at the cluster scope";
        await cluster.PollAsync("the operator to log the 403", TimeSpan.FromSeconds(60), () =>
            Task.FromResult(cluster.Operators.Single().Log.Contains(denial, StringComparison.Ordinal) ? "" : null));
        Assert.Empty(await cluster.ListAsync("jobs"));
        var current = await cluster.GetRequiredAsync("vmbackup", backup);
        Assert.NotEqual("Succeeded", current["status"]?["phase"]?.GetValue<string>());
        Assert.Empty(await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
    }

    [Fact]
    public async Task A_Job_whose_pod_never_starts_fails_as_MoverNotStarted_and_is_deleted()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var kubelet = StartKubelet(cluster);
        await using var vm = await GuestVm.CreateAsync(libvirt);
        var chainBefore = vm.Domain.LiveChain("vda");
        await StartJobOperatorAsync(cluster, startTimeoutSeconds: 5);
        // No kubelet serves this node: the pod stays Pending, as on a node that is down or cannot pull the image.
        var policy = Policy("unstarted", vm.Name, "now");
        policy.Spec()["source"]!["libvirt"]!["nodeName"] = "hv-unreachable";
        policy.Spec()["backoffLimit"] = 0;
        await cluster.ApplyAsync(policy);
        var backup = await cluster.FirstBackupOfAsync("unstarted");

        var failed = await cluster.WaitBackupAsync(backup, "Failed", TimeSpan.FromSeconds(60), b => OperatorCluster.Phase(b) == "Failed");
        var condition = failed["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Failed")!;
        output.WriteLine($"Failed: {condition.ToJsonString()}");
        var job = failed["status"]!["mover"]!["job"]!.GetValue<string>();
        Assert.Equal("MoverNotStarted", condition["reason"]!.GetValue<string>());
        Assert.Matches($"^Job {job}: no mover started within 5 s, pod {job}-[a-z0-9]+ is Pending; the Job was deleted", condition["message"]!.GetValue<string>());
        await cluster.PollAsync("the Job to be gone", TimeSpan.FromSeconds(30), async () => await cluster.GetAsync("job", job) is null ? "" : null);
        Assert.Equal(chainBefore, vm.Domain.LiveChain("vda"));
        Assert.Empty(await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
    }

    [Fact]
    public async Task A_Job_deleted_mid_copy_fails_that_attempt_and_the_retry_makes_exactly_one_point()
    {
        await using var cluster = await OperatorCluster.StartAsync(output);
        await using var kubelet = StartKubelet(cluster);
        await using var vm = await GuestVm.CreateAsync(libvirt, diskBytes: 32 * MiB);
        await vm.WriteAsync("vda", 0, 16 * MiB, 0x71);
        await StartJobOperatorAsync(cluster);
        var policy = Policy("deleted", vm.Name, "now");
        policy.Spec()["bandwidthLimit"] = "2Mi";
        policy.Spec()["backoffLimit"] = 2;
        await cluster.ApplyAsync(policy);
        var backup = await cluster.FirstBackupOfAsync("deleted");
        await cluster.WaitAsync("jsonpath={.status.step}=Copying", TimeSpan.FromSeconds(90), $"vmbackup/{backup}");
        var firstJob = (await cluster.GetRequiredAsync("vmbackup", backup))["status"]!["mover"]!["job"]!.GetValue<string>();

        // As a user or a cleanup script would: the Job goes, and with it (background propagation) its pod.
        await cluster.KubectlOkAsync("delete", "job", firstJob, "-n", OperatorCluster.Namespace, "--wait=false");

        var retrying = await cluster.WaitBackupAsync(backup, "a failed attempt recorded (the deleted Job)", TimeSpan.FromSeconds(60), b => OperatorCluster.Failures(b) >= 1);
        var progressing = retrying["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Progressing")!;
        output.WriteLine($"after the delete: {progressing.ToJsonString()}");
        Assert.Equal("Retrying", progressing["reason"]!.GetValue<string>());
        Assert.Contains($"attempt 1 failed (MoverDeleted): Job {firstJob} was deleted before its mover reported a result", progressing["message"]!.GetValue<string>());

        var done = (await cluster.WaitBackupsCompleteAsync([backup])).Single();
        Assert.Equal("Succeeded", done["status"]!["phase"]?.GetValue<string>());
        Assert.NotEqual(firstJob, done["status"]!["mover"]!["job"]!.GetValue<string>());
        vm.Freeze(backup);
        Assert.Equal([done["status"]!["restorePoint"]!.GetValue<string>()], await Repository.PointIdsAsync(cluster.ClaimDirectory, vm.Name));
        await vm.AssertRestoresExactlyAsync(cluster, backup);
    }
}
