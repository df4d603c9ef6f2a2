using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;
using FiBackup.Testing.KubeApi.Auth;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.Testing.Kubelet;

/// <summary>
/// A Job controller and a kubelet for the local API server, in one loop: for each Job it makes
/// pods as kube-controller-manager does (name JOB-xxxxx, the Job's template labels incl.
/// batch.kubernetes.io/job-name and controller-uid, an ownerReference, a new pod per failure
/// until spec.backoffLimit) and reports the Job's status; each pod on this node runs as a local
/// process (<see cref="PodProcess"/>, volumes through <see cref="PodFilesystem"/>) and its status
/// goes Pending → Running → Succeeded/Failed with the container's exit code. A deleted pod (a Job
/// deleted with propagation Background or Foreground) gets SIGTERM, then SIGKILL after its grace
/// period. <see cref="KillPodAsync"/> is a SIGKILL for tests (a node or pod failure).
/// <para>
/// In-cluster configuration cannot be had by a local process (the service account files would have
/// to be at /var/run/secrets/kubernetes.io/serviceaccount, and in-cluster clients speak HTTPS only),
/// so each pod gets KUBECONFIG: a kubeconfig for this server's HTTPS port with its service account's
/// token (TokenRequest, so RBAC applies to everything the pod does).
/// KUBERNETES_SERVICE_HOST/PORT are set as a kubelet sets them, and the token, namespace and ca.crt
/// files are at their usual mountPath inside the pod's root.
/// </para>
/// </summary>
public sealed class LocalKubelet : IAsyncDisposable
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789"; // k8s.io/apimachinery/pkg/util/rand

    private readonly KubeApiServer api;
    private readonly Kubernetes client;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, PodRun> runs = new();
    private readonly List<PodProcess> finished = [];
    private readonly List<string> errors = [];
    private readonly string scratch;
    private readonly Task loop;

    private LocalKubelet(KubeApiServer api, LocalKubeletOptions options)
    {
        this.api = api;
        Options = options;
        client = api.CreateClient();
        scratch = Directory.CreateTempSubdirectory("fibackup-kubelet-").FullName;
        loop = Task.Run(() => RunAsync(stopping.Token));
    }

    public LocalKubeletOptions Options { get; }

    public static LocalKubelet Start(KubeApiServer api, LocalKubeletOptions? options = null) => new(api, options ?? new LocalKubeletOptions());

    /// <summary>Every pod process started so far, running or not.</summary>
    public IReadOnlyList<PodProcess> Processes
    {
        get { lock (finished) return [.. finished, .. runs.Values.Select(r => r.Process)]; }
    }

    /// <summary>The process of a pod, once it runs.</summary>
    public PodProcess? ProcessOf(string @namespace, string pod) =>
        Processes.LastOrDefault(p => p.Namespace == @namespace && p.Pod == pod);

    /// <summary>SIGKILL to a pod's process: the pod fails with exit code 137, as after a node or OOM kill.</summary>
    public async Task KillPodAsync(string @namespace, string pod)
    {
        var process = ProcessOf(@namespace, pod) ?? throw new InvalidOperationException($"pod {@namespace}/{pod} runs no process here");
        await process.KillAsync();
    }

    /// <summary>The kubelet's own failures and every pod's command line and log, for test output.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        lock (errors) foreach (var error in errors) text.AppendLine($"kubelet: {error}");
        foreach (var process in Processes)
            text.AppendLine($"--- pod {process.Namespace}/{process.Pod} (pid {process.Id}): {process.CommandLine}").Append(process.Log);
        return text.ToString();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Note($"{e.GetType().Name}: {e.Message}");
            }
            try { await Task.Delay(Options.SyncInterval, ct); } catch (OperationCanceledException) { break; }
        }
    }

    private async Task SyncAsync(CancellationToken ct)
    {
        var pods = (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items;
        await SyncPodsAsync(pods, ct);
        var jobs = (await client.BatchV1.ListJobForAllNamespacesAsync(cancellationToken: ct)).Items;
        foreach (var job in jobs)
        {
            var owned = pods.Where(p => p.Metadata.NamespaceProperty == job.Metadata.NamespaceProperty
                                        && p.Metadata.OwnerReferences?.Any(o => o.Uid == job.Metadata.Uid) == true).ToList();
            await SyncJobAsync(job, owned, ct);
        }
    }

    // ---- the kubelet: pods as processes ----

    private async Task SyncPodsAsync(IList<V1Pod> pods, CancellationToken ct)
    {
        var present = pods.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Uid).ToHashSet();
        foreach (var (uid, run) in runs)
        {
            if (!present.Contains(uid) && !run.Terminating)
            {
                run.Terminating = true;
                Note($"pod {run.Process.Namespace}/{run.Process.Pod} was deleted: SIGTERM to pid {run.Process.Id}");
                _ = TerminateAsync(run);
            }
            if (run.Process.Exited.IsCompleted && (run.Reported || run.Terminating))
            {
                runs.TryRemove(uid, out _);
                lock (finished) finished.Add(run.Process);
            }
        }
        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is not null) continue;
            if (runs.TryGetValue(pod.Metadata.Uid, out var run))
            {
                if (run.Process.Exited.IsCompleted && !run.Reported)
                {
                    await PatchPodStatusAsync(pod, PodStatuses.Terminated(pod, run.Process, await run.Process.Exited), ct);
                    run.Reported = true;
                }
                continue;
            }
            var node = pod.Spec.NodeName;
            if (pod.Status?.Phase is null or "Pending" && (string.IsNullOrEmpty(node) || node == Options.NodeName)
                && pod.Status?.ContainerStatuses is null)
                await StartPodAsync(pod, ct);
        }
    }

    private async Task TerminateAsync(PodRun run)
    {
        try
        {
            await run.Process.TerminateAsync(TimeSpan.FromSeconds(run.Pod.Spec.TerminationGracePeriodSeconds ?? 30));
            Note($"pod {run.Process.Namespace}/{run.Process.Pod}: pid {run.Process.Id} ended with {await run.Process.Exited}");
        }
        catch (Exception e)
        {
            Note($"pod {run.Process.Namespace}/{run.Process.Pod}: ending pid {run.Process.Id} failed: {e.Message}");
        }
    }

    private void Note(string line)
    {
        lock (errors) errors.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
    }

    private async Task StartPodAsync(V1Pod pod, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var podDirectory = Path.Combine(scratch, ns, pod.Metadata.Name);
        Directory.CreateDirectory(podDirectory);
        PodProcess process;
        try
        {
            var (argv, environment) = Prepare(pod, podDirectory);
            process = PodProcess.Start(ns, pod.Metadata.Name, argv, environment, podDirectory);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            await PatchPodStatusAsync(pod, PodStatuses.StartFailed(pod, e.Message), ct);
            return;
        }
        runs[pod.Metadata.Uid] = new PodRun(pod, process);
        Note($"pod {ns}/{pod.Metadata.Name}: started pid {process.Id}: {process.CommandLine}");
        await PatchPodStatusAsync(pod, PodStatuses.Running(pod, process), ct);
    }

    private (IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment) Prepare(V1Pod pod, string podDirectory)
    {
        var ns = pod.Metadata.NamespaceProperty;
        if (pod.Spec.Containers.Count != 1) throw new InvalidOperationException("the local kubelet runs pods of exactly one container");
        var container = pod.Spec.Containers[0];
        var filesystem = new PodFilesystem(Path.Combine(podDirectory, "root"));

        var volumes = new Dictionary<string, string>();
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.PersistentVolumeClaim is { } claim)
            {
                var directory = Options.ClaimsDirectory is null ? null : Path.Combine(Options.ClaimsDirectory, ns, claim.ClaimName);
                if (directory is null || !Directory.Exists(directory))
                    throw new InvalidOperationException($"volume {volume.Name}: PersistentVolumeClaim {claim.ClaimName} has no directory here ({directory ?? "no claims directory"})");
                volumes[volume.Name] = directory;
            }
            else if (volume.HostPath is { } host)
            {
                if (host.Type == "Directory" && !Directory.Exists(host.Path))
                    throw new InvalidOperationException($"volume {volume.Name}: hostPath type check failed: {host.Path} is not a directory");
                volumes[volume.Name] = host.Path;
            }
            else if (volume.EmptyDir is not null)
            {
                volumes[volume.Name] = Directory.CreateDirectory(Path.Combine(podDirectory, "volumes", volume.Name)).FullName;
            }
            else
            {
                throw new InvalidOperationException($"volume {volume.Name}: only persistentVolumeClaim, hostPath and emptyDir volumes run here");
            }
        }
        foreach (var mount in container.VolumeMounts ?? [])
        {
            var source = volumes.GetValueOrDefault(mount.Name) ?? throw new InvalidOperationException($"volumeMount {mount.Name}: no such volume");
            filesystem.Mount(mount.MountPath, string.IsNullOrEmpty(mount.SubPath) ? source : Path.Combine(source, mount.SubPath));
        }

        var serviceAccount = pod.Spec.ServiceAccountName ?? "default";
        // A bound token from the API server's TokenRequest; a missing ServiceAccount fails the pod (upstream's
        // ServiceAccount admission would refuse it).
        var token = Options.ServiceAccountToken?.Invoke(ns, serviceAccount) ?? api.IssueToken(ns, serviceAccount);
        var secrets = Directory.CreateDirectory(Path.Combine(podDirectory, "serviceaccount")).FullName;
        File.WriteAllText(Path.Combine(secrets, "token"), token);
        File.WriteAllText(Path.Combine(secrets, "namespace"), ns);
        File.WriteAllBytes(Path.Combine(secrets, "ca.crt"), Convert.FromBase64String(ServingCertificate.AuthorityData));
        filesystem.Mount("/var/run/secrets/kubernetes.io/serviceaccount", secrets);
        var kubeconfig = Path.Combine(podDirectory, "kubeconfig");
        File.WriteAllText(kubeconfig, Kubeconfig.Render(api.SecureUrl, token, ns, ServingCertificate.AuthorityData));

        var command = container.Command is { Count: > 0 } c ? c.ToList()
            : Options.Commands.TryGetValue(container.Image, out var entrypoint) ? entrypoint.ToList()
            : throw new InvalidOperationException($"container {container.Name}: no command, and image {container.Image} has no entrypoint here");
        var argv = new List<string>();
        if (Options.Commands.TryGetValue(command[0], out var mapped)) argv.AddRange(mapped);
        else argv.Add(command[0]);
        argv.AddRange(command.Skip(1).Concat(container.Args ?? []).Select(filesystem.Translate));

        // The test host's environment (dotnet, PATH, FIBACKUP_LOCK_DIR), without its cluster settings.
        var environment = new Dictionary<string, string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (name is "KUBECONFIG" || name.StartsWith("KUBERNETES_", StringComparison.Ordinal)) continue;
            environment[name] = (string?)entry.Value ?? "";
        }
        environment["HOSTNAME"] = pod.Metadata.Name;
        environment["KUBERNETES_SERVICE_HOST"] = api.SecureUrl.Host;
        environment["KUBERNETES_SERVICE_PORT"] = api.SecureUrl.Port.ToString();
        environment["KUBECONFIG"] = kubeconfig;
        foreach (var env in container.Env ?? [])
            environment[env.Name] = env.ValueFrom?.FieldRef is { } field ? FieldValue(pod, field.FieldPath) : filesystem.Translate(env.Value ?? "");
        return (argv, environment);
    }

    private string FieldValue(V1Pod pod, string path) => path switch
    {
        "metadata.name" => pod.Metadata.Name,
        "metadata.namespace" => pod.Metadata.NamespaceProperty,
        "metadata.uid" => pod.Metadata.Uid,
        "spec.nodeName" => pod.Spec.NodeName ?? Options.NodeName,
        "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "default",
        "status.podIP" or "status.hostIP" => "127.0.0.1",
        _ => throw new InvalidOperationException($"fieldRef {path} is not supported here"),
    };

    private async Task PatchPodStatusAsync(V1Pod pod, JsonObject status, CancellationToken ct)
    {
        try
        {
            await client.CoreV1.PatchNamespacedPodStatusAsync(
                new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted meanwhile: the next sync terminates its process.
        }
    }

    // ---- the Job controller ----

    private async Task SyncJobAsync(V1Job job, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        if (JobStatuses.IsFinished(job) || job.Metadata.DeletionTimestamp is not null || job.Spec.Suspend == true) return;
        var decision = JobStatuses.Decide(job, pods, DateTime.UtcNow);
        if (decision.NeedsPod)
        {
            await CreatePodAsync(job, ct);
            decision.Status["active"] = 1;
        }
        var current = JsonNode.Parse(KubernetesJson.Serialize(job.Status ?? new V1JobStatus())) as JsonObject ?? new JsonObject();
        if (Same(current, decision.Status)) return;
        await client.BatchV1.PatchNamespacedJobStatusAsync(
            new V1Patch(new JsonObject { ["status"] = decision.Status }.ToJsonString(), V1Patch.PatchType.MergePatch),
            job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: ct);
    }

    // Only what the Job controller decides: counts, startTime, the conditions (their timestamps stay as first written).
    private static bool Same(JsonObject current, JsonObject wanted) =>
        new[] { "active", "ready", "succeeded", "failed" }.All(f => Count(current, f) == Count(wanted, f))
        && current["startTime"] is not null
        && ConditionTypes(current).SequenceEqual(ConditionTypes(wanted));

    private static int Count(JsonObject status, string field) => status[field]?.GetValue<int>() ?? 0;

    private static IEnumerable<string?> ConditionTypes(JsonObject status) =>
        status["conditions"] is JsonArray conditions ? conditions.Select(c => c?["type"]?.GetValue<string>()) : [];

    private async Task CreatePodAsync(V1Job job, CancellationToken ct)
    {
        var template = job.Spec.Template;
        var suffix = new string(Enumerable.Range(0, 5).Select(_ => Alphabet[Random.Shared.Next(Alphabet.Length)]).ToArray());
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = $"{job.Metadata.Name}-{suffix}",
                GenerateName = $"{job.Metadata.Name}-",
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : [],
                Annotations = template.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : null,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid,
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = template.Spec,
        };
        await client.CoreV1.CreateNamespacedPodAsync(pod, pod.Metadata.NamespaceProperty, cancellationToken: ct);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try { await loop; } catch (OperationCanceledException) { }
        foreach (var run in runs.Values) await run.Process.DisposeAsync();
        client.Dispose();
        stopping.Dispose();
        try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
    }

    private sealed class PodRun(V1Pod pod, PodProcess process)
    {
        public V1Pod Pod { get; } = pod;
        public PodProcess Process { get; } = process;
        public bool Reported { get; set; }
        public bool Terminating { get; set; }
    }
}
