using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;
using FiBackup.Testing.Kubelet;
using Xunit.Sdk;

namespace FiBackup.KubeApi.Tests;

/// <summary>
/// The local kubelet and Job controller, driven as a user would: Jobs made with the real kubectl,
/// their pods run as local processes, statuses read back with kubectl.
/// </summary>
public sealed class LocalKubeletTests : IAsyncLifetime
{
    private KubeApiServer api = null!;
    private LocalKubelet kubelet = null!;
    private readonly string claims = Directory.CreateTempSubdirectory("fibackup-kubelet-claims-").FullName;

    public async Task InitializeAsync()
    {
        api = await KubeApiServer.StartAsync();
        // Pods run as the namespace's default ServiceAccount, which a real cluster makes by itself.
        (await api.Kubectl.RunAsync("create", "serviceaccount", "default", "-n", "default")).EnsureSuccess();
        kubelet = LocalKubelet.Start(api, new LocalKubeletOptions { NodeName = "hv1", ClaimsDirectory = claims });
    }

    public async Task DisposeAsync()
    {
        await kubelet.DisposeAsync();
        await api.DisposeAsync();
        Directory.Delete(claims, recursive: true);
    }

    private async Task CreateJobAsync(string name, string script, int backoffLimit = 0, string node = "hv1", JsonArray? volumes = null, JsonArray? mounts = null,
        string[]? extraArgs = null)
    {
        var container = new JsonObject
        {
            ["name"] = "main", ["image"] = "busybox", ["command"] = new JsonArray("/bin/sh", "-c", script),
            ["args"] = new JsonArray((extraArgs ?? []).Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
            ["env"] = new JsonArray(new JsonObject
            {
                ["name"] = "MY_POD", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.name" } },
            }),
        };
        if (mounts is not null) container["volumeMounts"] = mounts;
        var spec = new JsonObject { ["restartPolicy"] = "Never", ["nodeName"] = node, ["containers"] = new JsonArray(container) };
        if (volumes is not null) spec["volumes"] = volumes;
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1", ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
            ["spec"] = new JsonObject { ["backoffLimit"] = backoffLimit, ["template"] = new JsonObject { ["spec"] = spec } },
        };
        (await api.Kubectl.RunAsync(["create", "-f", "-"], job.ToJsonString(), TimeSpan.FromSeconds(60))).EnsureSuccess();
    }

    private async Task WaitJobAsync(string name, string condition)
    {
        var result = await api.Kubectl.RunAsync(["wait", $"--for=condition={condition}", "--timeout=60s", $"job/{name}"], null, TimeSpan.FromSeconds(90));
        if (result.ExitCode != 0)
            throw new XunitException($"job/{name} not {condition}: {result.StdErr}\n{(await GetAsync("job", name))["status"]}\n{kubelet.Logs()}");
    }

    private async Task<JsonObject> GetAsync(string resource, string name) =>
        JsonNode.Parse((await api.Kubectl.RunAsync("get", resource, name, "-o", "json")).EnsureSuccess().StdOut)!.AsObject();

    private async Task<IReadOnlyList<JsonObject>> PodsOfAsync(string job) =>
        JsonNode.Parse((await api.Kubectl.RunAsync("get", "pods", "-l", $"batch.kubernetes.io/job-name={job}", "-o", "json")).EnsureSuccess().StdOut)!["items"]!
            .AsArray().Select(p => p!.AsObject()).OrderBy(p => p["metadata"]!["creationTimestamp"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_job_whose_container_exits_3_ends_Failed_with_BackoffLimitExceeded_and_the_exit_code_in_its_pod()
    {
        await CreateJobAsync("fails", "exit 3");
        await WaitJobAsync("fails", "Failed");

        var status = (await GetAsync("job", "fails"))["status"]!;
        Assert.Equal(1, status["failed"]?.GetValue<int>());
        Assert.Null(status["active"]);
        Assert.Null(status["completionTime"]);
        Assert.NotNull(status["startTime"]);
        var failed = status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Failed")!;
        Assert.Equal("True", failed["status"]!.GetValue<string>());
        Assert.Equal("BackoffLimitExceeded", failed["reason"]!.GetValue<string>());

        var pod = Assert.Single(await PodsOfAsync("fails"));
        Assert.Matches("^fails-[bcdfghjklmnpqrstvwxz2456789]{5}$", pod["metadata"]!["name"]!.GetValue<string>());
        var owner = pod["metadata"]!["ownerReferences"]!.AsArray().Single()!;
        Assert.Equal("Job", owner["kind"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.NotNull(pod["metadata"]!["labels"]!["controller-uid"]);
        Assert.Equal("Failed", pod["status"]!["phase"]!.GetValue<string>());
        var terminated = pod["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!;
        Assert.Equal(3, terminated["exitCode"]!.GetValue<int>());
        Assert.Equal("Error", terminated["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_whose_container_exits_0_is_Complete_and_its_pod_saw_its_env_and_its_claim()
    {
        Directory.CreateDirectory(Path.Combine(claims, "default", "data"));
        // The mountPath as an argument of its own: the kubelet maps paths in arguments, not inside a script.
        await CreateJobAsync("works", "echo \"$MY_POD $KUBERNETES_SERVICE_PORT\" > \"$0/hello\" && test -s \"$KUBECONFIG\"", extraArgs: ["/data/out"],
            volumes: new JsonArray(new JsonObject { ["name"] = "d", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = "data" } }),
            mounts: new JsonArray(new JsonObject { ["name"] = "d", ["mountPath"] = "/data/out" }));
        await WaitJobAsync("works", "Complete");

        var status = (await GetAsync("job", "works"))["status"]!;
        Assert.Equal(1, status["succeeded"]?.GetValue<int>());
        Assert.NotNull(status["completionTime"]);
        Assert.Contains(status["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "Complete" && c["reason"]!.GetValue<string>() == "CompletionsReached");
        var pod = Assert.Single(await PodsOfAsync("works"));
        var podName = pod["metadata"]!["name"]!.GetValue<string>();
        Assert.Equal("Succeeded", pod["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("Completed", pod["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["reason"]!.GetValue<string>());
        // The mountPath /data/out was the claim's directory.
        Assert.Equal($"{podName} {api.SecureUrl.Port}", File.ReadAllText(Path.Combine(claims, "default", "data", "hello")).Trim());
    }

    [Fact]
    public async Task A_failing_job_gets_a_new_pod_per_failure_until_its_backoffLimit()
    {
        await CreateJobAsync("retries", "exit 1", backoffLimit: 2);
        await WaitJobAsync("retries", "Failed");
        Assert.Equal(3, (await GetAsync("job", "retries"))["status"]!["failed"]!.GetValue<int>());
        Assert.Equal(3, (await PodsOfAsync("retries")).Count);
    }

    [Fact]
    public async Task A_job_succeeds_on_a_retry_when_its_second_pod_exits_0()
    {
        var marker = Path.Combine(claims, "second-try");
        await CreateJobAsync("flaky", $"if [ -e {marker} ]; then exit 0; fi; touch {marker}; exit 1", backoffLimit: 1);
        await WaitJobAsync("flaky", "Complete");
        var status = (await GetAsync("job", "flaky"))["status"]!;
        Assert.Equal(1, status["failed"]!.GetValue<int>());
        Assert.Equal(1, status["succeeded"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_killed_pod_fails_with_exit_code_137()
    {
        await CreateJobAsync("killed", "sleep 60");
        var pod = await PollAsync(async () => (await PodsOfAsync("killed")).FirstOrDefault(p => p["status"]?["phase"]?.GetValue<string>() == "Running"));
        var name = pod["metadata"]!["name"]!.GetValue<string>();
        Assert.Equal("True", pod["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready")!["status"]!.GetValue<string>());
        await kubelet.KillPodAsync("default", name);
        await WaitJobAsync("killed", "Failed");
        var terminated = (await GetAsync("pod", name))["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!;
        Assert.Equal(137, terminated["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Deleting_a_job_with_background_propagation_ends_its_pods_process()
    {
        // A shell that waits in `wait` answers SIGTERM at once (one waiting in a foreground `sleep` would not).
        await CreateJobAsync("deleted", "trap 'exit 143' TERM; sleep 60 & wait");
        var pod = await PollAsync(async () => (await PodsOfAsync("deleted")).FirstOrDefault(p => p["status"]?["phase"]?.GetValue<string>() == "Running"));
        var process = await PollAsync(() => Task.FromResult(kubelet.ProcessOf("default", pod["metadata"]!["name"]!.GetValue<string>())));
        (await api.Kubectl.RunAsync("delete", "job", "deleted", "--cascade=background")).EnsureSuccess();
        try
        {
            Assert.Equal(143, await process.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (TimeoutException)
        {
            var pods = await api.Kubectl.RunAsync("get", "pods", "-o", "wide");
            throw new XunitException($"the pod's process still runs after its Job was deleted\n{pods.StdOut}{pods.StdErr}\n{kubelet.Logs()}");
        }
    }

    [Fact]
    public async Task A_pod_bound_to_another_node_stays_Pending()
    {
        await CreateJobAsync("elsewhere", "exit 0", node: "hv2");
        var pod = await PollAsync(async () => (await PodsOfAsync("elsewhere")).FirstOrDefault());
        await Task.Delay(1000);
        var name = pod["metadata"]!["name"]!.GetValue<string>();
        Assert.Equal("Pending", (await GetAsync("pod", name))["status"]!["phase"]!.GetValue<string>());
        Assert.Null(kubelet.ProcessOf("default", name));
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new XunitException("timed out");
            await Task.Delay(100);
        }
    }
}
