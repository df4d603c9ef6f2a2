using System.Text.Json;
using System.Text.Json.Nodes;
using FiBackup.Testing;
using FiBackup.Testing.KubeApi;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Operator;
using Testcontainers.K3s;
using Xunit.Sdk;

namespace FiBackup.E2E.Tests;

/// <summary>
/// A real k3s (Testcontainers.K3s) as a user has it after installing fi-backup's CRDs from the
/// chart with kubectl, plus the host's libvirtd. The namespace vm-backups holds the claim
/// vm-backups, bound by k3s's own PV controller to a hostPath PersistentVolume whose directory on
/// the k3s node is a bind mount of &lt;claims dir&gt;/vm-backups/vm-backups on this host: the
/// `fibackup operator` processes run here (beside libvirtd, with the in-process mover and
/// --claims-dir) and write the very files the PersistentVolume holds.
/// Without a Docker engine nothing is started and <see cref="SkipReason"/> says why; with one, a
/// k3s that does not come up fails every test (the exception of <see cref="InitializeAsync"/>).
/// </summary>
public sealed class K3sCluster : IAsyncLifetime
{
    public const string Namespace = "vm-backups";
    public const string Claim = "vm-backups";
    /// <summary>k3s of Kubernetes 1.32, the minor of the kubectl the suite drives it with.</summary>
    public const string DefaultImage = "rancher/k3s:v1.32.4-k3s1";
    /// <summary>Where the claims directory is mounted on the k3s node (the PersistentVolume's hostPath root).</summary>
    public const string NodeClaimsDirectory = "/fibackup-claims";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly List<OperatorProcess> operators = [];
    private K3sContainer? container;
    private LibvirtFixture? libvirt;
    private Kubectl? kubectl;

    public K3sCluster()
    {
        WorkDirectory = Path.Combine(Path.GetTempPath(), "fibt-k3s-" + Guid.NewGuid().ToString("N")[..10]);
        ClaimsDirectory = Path.Combine(WorkDirectory, "claims");
        KubeconfigPath = Path.Combine(WorkDirectory, "kubeconfig");
    }

    /// <summary>$FIBACKUP_K3S_IMAGE, else <see cref="DefaultImage"/>.</summary>
    public static string Image => Environment.GetEnvironmentVariable("FIBACKUP_K3S_IMAGE") is { Length: > 0 } image ? image : DefaultImage;

    /// <summary>Why every test is skipped (no Docker engine answers); null when k3s is running.</summary>
    public string? SkipReason { get; private set; }

    public string WorkDirectory { get; }
    public string ClaimsDirectory { get; }
    public string KubeconfigPath { get; }

    /// <summary>The claim's directory on this host: the repository root of a policy without a subPath.</summary>
    public string ClaimDirectory => Path.Combine(ClaimsDirectory, Namespace, Claim);

    /// <summary>The same directory as the k3s node sees it: the claim's PersistentVolume.</summary>
    public static string NodeClaimDirectory => $"{NodeClaimsDirectory}/{Namespace}/{Claim}";

    public K3sContainer Container => container ?? throw new InvalidOperationException(NotRunning);
    public LibvirtFixture Libvirt => libvirt ?? throw new InvalidOperationException(NotRunning);
    public Kubectl Kubectl => kubectl ?? throw new InvalidOperationException(NotRunning);

    private string NotRunning => SkipReason ?? "the k3s cluster is not started";

    /// <summary>Reports the calling test as skipped, with the reason, when there is no k3s.</summary>
    public void SkipUnlessRunning() => Skip.If(SkipReason is not null, SkipReason);

    public async Task InitializeAsync()
    {
        if (DockerEngine.Missing() is { } reason)
        {
            SkipReason = reason;
            return;
        }

        // Whatever throws from here fails every test; xunit still disposes the fixture, stopping what did start.
        // The domains' libvirtd is the host's; it must be there before a k3s is worth starting.
        libvirt = new LibvirtFixture();
        await libvirt.InitializeAsync();

        Directory.CreateDirectory(ClaimDirectory);
        Directory.CreateDirectory(Path.Combine(WorkDirectory, "kube-cache"));
        container = new K3sBuilder(Image)
            .WithBindMount(ClaimsDirectory, NodeClaimsDirectory)
            .Build();
        await container.StartAsync();
        await File.WriteAllTextAsync(KubeconfigPath, await container.GetKubeconfigAsync());
        kubectl = new Kubectl(KubeconfigPath, Path.Combine(WorkDirectory, "kube-cache"));

        // `kubectl wait node --all` fails on no nodes at all: first the k3s node registers, then it gets Ready.
        await PollAsync("the k3s node to register", ReadyTimeout, async () =>
            (await Kubectl.RunAsync("get", "nodes", "-o", "name")).StdOut.Trim() is { Length: > 0 } nodes ? nodes : null);
        await KubectlOkAsync(["wait", "--for=condition=Ready", "node", "--all", $"--timeout={(int)ReadyTimeout.TotalSeconds}s"], ReadyTimeout);
        // The CRDs exactly as the chart ships them (a test elsewhere keeps them equal to crds/).
        await KubectlOkAsync("apply", "-f", SourceCheckout.PathOf("charts/fi-backup-operator/crds"));
        await KubectlOkAsync("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
        await KubectlOkAsync("create", "namespace", Namespace);
        await ApplyAsync(ClaimVolume());
        await ApplyAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject { ["name"] = Claim, ["namespace"] = Namespace },
            ["spec"] = new JsonObject
            {
                ["accessModes"] = new JsonArray("ReadWriteOnce"),
                ["storageClassName"] = "",
                ["volumeName"] = VolumeName,
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } },
            },
        });
        await KubectlOkAsync("wait", "-n", Namespace, "--for=jsonpath={.status.phase}=Bound", $"pvc/{Claim}", "--timeout=60s");
    }

    private static string VolumeName => $"fibt-{Namespace}-{Claim}";

    /// <summary>A static hostPath PersistentVolume on the node's bind mount, reserved for the claim.</summary>
    private static JsonObject ClaimVolume() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolume",
        ["metadata"] = new JsonObject { ["name"] = VolumeName },
        ["spec"] = new JsonObject
        {
            ["capacity"] = new JsonObject { ["storage"] = "1Gi" },
            ["accessModes"] = new JsonArray("ReadWriteOnce"),
            ["persistentVolumeReclaimPolicy"] = "Retain",
            ["storageClassName"] = "",
            ["claimRef"] = new JsonObject { ["namespace"] = Namespace, ["name"] = Claim },
            ["hostPath"] = new JsonObject { ["path"] = NodeClaimDirectory, ["type"] = "Directory" },
        },
    };

    /// <summary>Starts `fibackup operator` (in-process mover) against k3s with the admin kubeconfig.</summary>
    public OperatorProcess StartOperator()
    {
        var identity = "fibt-operator-" + Guid.NewGuid().ToString("N")[..6];
        var process = OperatorProcess.Start(identity,
        [
            "--kubeconfig", KubeconfigPath, "--namespace", Namespace, "--claims-dir", ClaimsDirectory,
            "--metrics-port", "0", "--metrics-bind-address", "127.0.0.1", "--identity", identity, "--workers", "2",
        ]);
        operators.Add(process);
        return process;
    }

    public Task<KubectlResult> KubectlOkAsync(params string[] args) => KubectlOkAsync(args, TimeSpan.FromSeconds(60));

    public async Task<KubectlResult> KubectlOkAsync(IReadOnlyList<string> args, TimeSpan timeout, string? stdin = null)
    {
        var result = await Kubectl.RunAsync(args, stdin, timeout + TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
            throw new XunitException($"`{result.CommandLine}` exited {result.ExitCode}\nstdout: {result.StdOut}\nstderr: {result.StdErr}\n{OperatorLogs()}");
        return result;
    }

    /// <summary>`kubectl apply -f -` of one object (JSON is YAML).</summary>
    public Task ApplyAsync(JsonNode manifest) => KubectlOkAsync(["apply", "-f", "-"], TimeSpan.FromSeconds(60), manifest.ToJsonString());

    public async Task<JsonObject> GetAsync(string resource, string name)
    {
        var result = await KubectlOkAsync("get", resource, name, "-n", Namespace, "-o", "json");
        return JsonNode.Parse(result.StdOut)!.AsObject();
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string resource, string selector)
    {
        var result = await KubectlOkAsync("get", resource, "-n", Namespace, "-l", selector, "-o", "json");
        return JsonNode.Parse(result.StdOut)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    /// <summary>`kubectl wait`; on a timeout fails with the objects' status and the operators' logs.</summary>
    public async Task WaitAsync(string condition, TimeSpan timeout, string target)
    {
        var result = await Kubectl.RunAsync(["wait", "-n", Namespace, $"--for={condition}", $"--timeout={(int)timeout.TotalSeconds}s", target],
            null, timeout + TimeSpan.FromSeconds(30));
        if (result.ExitCode == 0) return;
        var state = await Kubectl.RunAsync("get", target, "-n", Namespace, "-o", "jsonpath={.status}");
        throw new XunitException($"`{result.CommandLine}` exited {result.ExitCode}: {result.StdErr.Trim()}\n{target}: {state.StdOut}{state.StdErr}\n{OperatorLogs()}");
    }

    /// <summary>A bounded poll of a condition `kubectl wait` cannot express.</summary>
    public async Task<T> PollAsync<T>(string what, TimeSpan timeout, Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new XunitException($"timed out after {timeout.TotalSeconds} s waiting for {what}\n{OperatorLogs()}");
            await Task.Delay(500);
        }
    }

    /// <summary>Every operator's command line and log so far, for failure messages and the test output.</summary>
    public string OperatorLogs() => string.Join('\n', operators.Select(o =>
        $"--- {o.CommandLine} (pid {o.Id}{(o.HasExited ? ", exited" : "")})\n{(o.Log.Length <= 12000 ? o.Log : "...\n" + o.Log[^12000..])}"));

    public static string Name(JsonObject item) => item["metadata"]!["name"]!.GetValue<string>();

    public static string Pretty(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "(none)";

    public async Task DisposeAsync()
    {
        foreach (var process in operators) await process.DisposeAsync();
        operators.Clear();
        if (container is not null) await container.DisposeAsync();
        container = null;
        if (libvirt is not null) await libvirt.DisposeAsync();
        libvirt = null;
        try
        {
            if (Directory.Exists(WorkDirectory)) Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"K3sCluster: could not delete {WorkDirectory}: {e.Message}");
        }
    }
}

/// <summary>One k3s for every test of the suite: starting one takes most of a minute.</summary>
[CollectionDefinition(Name)]
public sealed class K3sCollection : ICollectionFixture<K3sCluster>
{
    public const string Name = "k3s";
}
