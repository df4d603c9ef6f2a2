using System.Text.Json;
using System.Text.Json.Nodes;
using FiBackup.Testing;
using FiBackup.Testing.KubeApi;
using FiBackup.Testing.Operator;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// A cluster as a user has it when they install fi-backup: the local API server with the CRDs of
/// crds/ applied by the real kubectl, the namespace vm-backups, a Bound PersistentVolumeClaim whose
/// files the in-process mover finds at &lt;claims dir&gt;/vm-backups/&lt;claim&gt;, and any number of
/// `fibackup operator` processes. Everything the tests do to the cluster goes through kubectl.
/// Disposing kills the operators, prints their logs into the test output, and stops the server.
/// </summary>
public sealed class OperatorCluster : IAsyncDisposable
{
    public const string Namespace = "vm-backups";
    public const string Claim = "vm-backups";
    public static readonly TimeSpan BackupTimeout = TimeSpan.FromMinutes(3);

    private readonly ITestOutputHelper? output;
    private readonly List<OperatorProcess> operators = [];
    private int runNowCounter;

    private OperatorCluster(KubeApiServer api, ITestOutputHelper? output, string claimsDirectory)
    {
        Api = api;
        this.output = output;
        ClaimsDirectory = claimsDirectory;
    }

    public KubeApiServer Api { get; }
    public string ClaimsDirectory { get; }
    public IReadOnlyList<OperatorProcess> Operators => operators;

    /// <summary>The claim's directory: the repository root of a policy without a subPath.</summary>
    public string ClaimDirectory => Path.Combine(ClaimsDirectory, Namespace, Claim);

    public string RepositoryOf(string? subPath) => subPath is null ? ClaimDirectory : Path.Combine(ClaimDirectory, subPath);

    /// <summary>
    /// Starts the server, creates the namespace, applies the CRDs and makes the claim Bound; no operator yet.
    /// Without <paramref name="output"/> (a class fixture) the operators' logs go only into failure messages.
    /// </summary>
    public static async Task<OperatorCluster> StartAsync(ITestOutputHelper? output)
    {
        var api = await KubeApiServer.StartAsync();
        var claims = Path.Combine(Path.GetTempPath(), "fibt-e2e-claims-" + Guid.NewGuid().ToString("N")[..10]);
        var cluster = new OperatorCluster(api, output, claims);
        try
        {
            Directory.CreateDirectory(cluster.ClaimDirectory);
            await cluster.KubectlOkAsync("create", "namespace", Namespace);
            await cluster.KubectlOkAsync("apply", "-f", CrdDirectory());
            await cluster.KubectlOkAsync("wait", "--for=condition=Established", "crd", "--all", "--timeout=30s");
            await cluster.CreateBoundClaimAsync(Claim);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The repository's crds/ directory (generated from Api/V1Alpha1).</summary>
    public static string CrdDirectory()
    {
        var crds = SourceCheckout.PathOf("crds");
        return Directory.Exists(crds) ? crds : throw new XunitException($"{crds} does not exist: the generated CRDs are missing");
    }

    /// <summary>A PVC made with kubectl and marked Bound by hand: the local API server binds nothing.</summary>
    public async Task CreateBoundClaimAsync(string name)
    {
        await ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
            ["spec"] = new JsonObject
            {
                ["accessModes"] = new JsonArray("ReadWriteOnce"),
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } },
            },
        });
        await KubectlOkAsync("patch", "pvc", name, "-n", Namespace, "--subresource=status", "--type=merge",
            "-p", """{"status":{"phase":"Bound"}}""");
        Directory.CreateDirectory(Path.Combine(ClaimsDirectory, Namespace, name));
    }

    /// <summary>Starts `fibackup operator` on this cluster; the test output gets its log when the cluster is disposed.</summary>
    public OperatorProcess StartOperator(string? identity = null, bool leaderElect = false, IReadOnlyList<string>? extraArgs = null)
    {
        identity ??= "fibt-operator-" + Guid.NewGuid().ToString("N")[..6];
        var args = new List<string>
        {
            "--kubeconfig", Api.KubeconfigPath, "--namespace", Namespace, "--claims-dir", ClaimsDirectory,
            "--metrics-port", "0", "--metrics-bind-address", "127.0.0.1", "--identity", identity, "--workers", "2",
        };
        if (leaderElect) args.AddRange(["--leader-elect", "--leader-election-namespace", Namespace]);
        if (extraArgs is not null) args.AddRange(extraArgs);
        return StartOperatorWith(identity, args);
    }

    /// <summary>Starts `fibackup operator ARGS` exactly as given (e.g. a chart Deployment's arguments); the cluster keeps and logs it.</summary>
    public OperatorProcess StartOperatorWith(string identity, IReadOnlyList<string> args)
    {
        var process = OperatorProcess.Start(identity, args);
        operators.Add(process);
        return process;
    }

    public Task<KubectlResult> KubectlAsync(params string[] args) => Api.Kubectl.RunAsync(args);

    public async Task<KubectlResult> KubectlOkAsync(params string[] args)
    {
        var result = await Api.Kubectl.RunAsync(args);
        if (result.ExitCode != 0)
            throw new XunitException($"`{result.CommandLine}` exited {result.ExitCode}\nstdout: {result.StdOut}\nstderr: {result.StdErr}\n{OperatorLogs()}");
        return result;
    }

    /// <summary>`kubectl apply -f -` of one object (JSON is YAML); the result, so refusals can be asserted.</summary>
    public Task<KubectlResult> TryApplyAsync(JsonNode manifest) =>
        Api.Kubectl.RunAsync(["apply", "-f", "-"], manifest.ToJsonString(), TimeSpan.FromSeconds(60));

    public async Task ApplyAsync(JsonNode manifest)
    {
        var result = await TryApplyAsync(manifest);
        if (result.ExitCode != 0)
            throw new XunitException($"kubectl apply refused:\n{manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}\nstderr: {result.StdErr}");
    }

    /// <summary>`kubectl get -o json` of one object, or null when kubectl says NotFound.</summary>
    public async Task<JsonObject?> GetAsync(string resource, string name)
    {
        var result = await KubectlAsync("get", resource, name, "-n", Namespace, "-o", "json");
        if (result.ExitCode != 0 && result.StdErr.Contains("NotFound", StringComparison.Ordinal)) return null;
        if (result.ExitCode != 0) throw new XunitException($"`{result.CommandLine}`: {result.StdErr}");
        return JsonNode.Parse(result.StdOut)!.AsObject();
    }

    public async Task<JsonObject> GetRequiredAsync(string resource, string name) =>
        await GetAsync(resource, name) ?? throw new XunitException($"{resource}/{name} does not exist\n{OperatorLogs()}");

    /// <summary>The items of `kubectl get RESOURCE -o json` (with a label selector when given).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string resource, string? selector = null)
    {
        string[] args = selector is null
            ? ["get", resource, "-n", Namespace, "-o", "json"]
            : ["get", resource, "-n", Namespace, "-l", selector, "-o", "json"];
        var result = await KubectlOkAsync(args);
        return JsonNode.Parse(result.StdOut)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    public Task<IReadOnlyList<JsonObject>> BackupsOfAsync(string policy) => ListAsync("vmbackups", $"fibackup.io/policy={policy}");

    /// <summary>The name of the first VmBackup the policy made, once there is one (60 s at most).</summary>
    public Task<string> FirstBackupOfAsync(string policy) =>
        PollAsync($"a VmBackup of policy {policy}", TimeSpan.FromSeconds(60), async () => (await BackupsOfAsync(policy)).Select(Name).FirstOrDefault());

    /// <summary>The VmBackup once <paramref name="until"/> holds for it.</summary>
    public Task<JsonObject> WaitBackupAsync(string backup, string what, TimeSpan timeout, Func<JsonObject, bool> until) =>
        PollAsync($"VmBackup {backup}: {what}", timeout, async () => await GetRequiredAsync("vmbackup", backup) is var current && until(current) ? current : null);

    public static string? Phase(JsonObject obj) => obj["status"]?["phase"]?.GetValue<string>();

    public static int Failures(JsonObject obj) => obj["status"]?["failures"]?.GetValue<int>() ?? 0;

    /// <summary>`kubectl wait --for=... --timeout=...` on the objects; fails with their JSON and the operators' logs.</summary>
    public async Task WaitAsync(string condition, TimeSpan timeout, params string[] objects)
    {
        var result = await Api.Kubectl.RunAsync(["wait", "-n", Namespace, $"--for={condition}", $"--timeout={(int)timeout.TotalSeconds}s", .. objects],
            null, timeout + TimeSpan.FromSeconds(30));
        if (result.ExitCode == 0) return;
        var states = new List<string>();
        foreach (var target in objects)
        {
            var parts = target.Split('/', 2);
            var json = await GetAsync(parts[0], parts[1]);
            states.Add($"{target}: {json?["status"]?.ToJsonString() ?? "(not found)"}");
        }
        throw new XunitException($"`{result.CommandLine}` exited {result.ExitCode}: {result.StdErr.Trim()}\n{string.Join('\n', states)}\n{OperatorLogs()}");
    }

    /// <summary>A bounded poll of a condition the API has no `kubectl wait` for.</summary>
    public async Task<T> PollAsync<T>(string what, TimeSpan timeout, Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new XunitException($"timed out after {timeout.TotalSeconds} s waiting for {what}\n{OperatorLogs()}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Sets a new fibackup.io/run-now value, waits until the policy answered it (status.lastRunNow),
    /// and returns the new VmBackups by domain name (one per selected domain).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> RunNowAsync(string policy, int domains)
    {
        var known = (await BackupsOfAsync(policy)).Select(Name).ToHashSet();
        var value = $"run-{Interlocked.Increment(ref runNowCounter)}-{Guid.NewGuid().ToString("N")[..4]}";
        await KubectlOkAsync("annotate", "vmbackuppolicy", policy, "-n", Namespace, $"fibackup.io/run-now={value}", "--overwrite");
        await WaitAsync($"jsonpath={{.status.lastRunNow}}={value}", TimeSpan.FromSeconds(60), $"vmbackuppolicy/{policy}");
        return await PollAsync($"{domains} new VmBackup(s) of policy {policy}", TimeSpan.FromSeconds(30), async () =>
        {
            var fresh = (await BackupsOfAsync(policy)).Where(b => !known.Contains(Name(b))).ToList();
            return fresh.Count >= domains
                ? fresh.ToDictionary(b => b["spec"]!["domain"]!.GetValue<string>(), Name)
                : null;
        });
    }

    /// <summary>Waits for condition Complete on every VmBackup and returns their objects.</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitBackupsCompleteAsync(IEnumerable<string> names)
    {
        var list = names.ToList();
        await WaitAsync("condition=Complete", BackupTimeout, list.Select(n => "vmbackup/" + n).ToArray());
        var objects = new List<JsonObject>();
        foreach (var name in list) objects.Add(await GetRequiredAsync("vmbackup", name));
        return objects;
    }

    public static string Name(JsonObject item) => item["metadata"]!["name"]!.GetValue<string>();

    /// <summary>Every operator's command line and log so far, for failure messages.</summary>
    public string OperatorLogs() => string.Join('\n', operators.Select(o =>
        $"--- {o.CommandLine} (pid {o.Id}{(o.HasExited ? ", exited" : "")})\n{Tail(o.Log, 12000)}")) + (MoreLogs is { } more ? "\n" + Tail(more(), 12000) : "");

    /// <summary>More logs for failure messages and the test output (a local kubelet's pods).</summary>
    public Func<string>? MoreLogs { get; set; }

    private static string Tail(string text, int length) => text.Length <= length ? text : "...\n" + text[^length..];

    public async ValueTask DisposeAsync()
    {
        foreach (var process in operators) await process.DisposeAsync();
        var logFiles = new List<string>();
        foreach (var process in operators)
        {
            // Whole logs on disk as well: the test output keeps only what the runner shows.
            var file = Path.Combine(Path.GetTempPath(), $"fibt-e2e-{process.Identity}-{process.Id}.log");
            await File.WriteAllTextAsync(file, process.Log);
            logFiles.Add(file);
        }
        try
        {
            output?.WriteLine($"operator logs: {string.Join(", ", logFiles)}");
            output?.WriteLine(OperatorLogs());
        }
        catch (InvalidOperationException)
        {
            // No test is running any more (a class fixture's late dispose): nothing to write to.
        }
        await Api.DisposeAsync();
        try
        {
            if (Directory.Exists(ClaimsDirectory)) Directory.Delete(ClaimsDirectory, recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"OperatorCluster: could not delete {ClaimsDirectory}: {e.Message}");
        }
    }
}
