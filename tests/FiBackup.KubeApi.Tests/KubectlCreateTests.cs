using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;

namespace FiBackup.KubeApi.Tests;

/// <summary>
/// kubectl's generator commands (`kubectl create namespace/secret/configmap/serviceaccount/job`), which send
/// protobuf bodies through client-go's typed clients: the first commands a user types.
/// </summary>
public sealed class KubectlCreateTests : IAsyncLifetime
{
    private KubeApiServer _api = null!;
    private readonly List<string> _tempFiles = [];

    public async Task InitializeAsync() => _api = await KubeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var file in _tempFiles) File.Delete(file);
        await _api.DisposeAsync();
    }

    private Task<KubectlResult> Kubectl(params string[] args) => _api.Kubectl.RunAsync(args);

    private async Task<JsonObject> GetJsonAsync(params string[] args) =>
        JsonNode.Parse((await Kubectl([.. args, "-o", "json"])).EnsureSuccess().StdOut)!.AsObject();

    private string TempFile(byte[] content)
    {
        var path = Path.GetTempFileName();
        _tempFiles.Add(path);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Every byte value, so no text decoding along the way can go unnoticed.</summary>
    private static byte[] BinaryKey() => [.. Enumerable.Range(0, 256).Select(i => (byte)(255 - i)), 0x00, 0xff, 0x0a];

    [Fact]
    public async Task Kubectl_create_namespace_makes_an_active_namespace()
    {
        var created = (await Kubectl("create", "namespace", "vm-backups")).EnsureSuccess();
        Assert.Contains("namespace/vm-backups created", created.StdOut);

        var ns = await GetJsonAsync("get", "namespace", "vm-backups");
        Assert.Equal("Active", ns["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("vm-backups", ns["metadata"]!["labels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
        Assert.Equal("kubernetes", ns["spec"]!["finalizers"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Kubectl_create_secret_generic_keeps_the_exact_bytes_of_a_binary_file()
    {
        var key = BinaryKey();
        var created = (await Kubectl("create", "secret", "generic", "hv1-ssh", $"--from-file=id={TempFile(key)}", "--from-literal=user=root")).EnsureSuccess();
        Assert.Contains("secret/hv1-ssh created", created.StdOut);

        var secret = await GetJsonAsync("get", "secret", "hv1-ssh");
        Assert.Equal("Opaque", secret["type"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(key), secret["data"]!["id"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String("root"u8.ToArray()), secret["data"]!["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task Kubectl_create_secret_with_a_type_keeps_the_type()
    {
        (await Kubectl("create", "secret", "generic", "hv1-login", "--type=kubernetes.io/basic-auth",
            "--from-literal=username=backup", "--from-literal=password=")).EnsureSuccess();

        var secret = await GetJsonAsync("get", "secret", "hv1-login");
        Assert.Equal("kubernetes.io/basic-auth", secret["type"]!.GetValue<string>());
        Assert.Equal("", secret["data"]!["password"]!.GetValue<string>());
        var table = (await Kubectl("get", "secrets")).EnsureSuccess().StdOut;
        Assert.Matches(@"hv1-login\s+kubernetes.io/basic-auth\s+2\s", table);
    }

    [Fact]
    public async Task Kubectl_create_secret_docker_registry_stores_the_docker_config()
    {
        (await Kubectl("create", "secret", "docker-registry", "registry", "--docker-server=registry.example:5000",
            "--docker-username=backup", "--docker-password=s3cret")).EnsureSuccess();

        var secret = await GetJsonAsync("get", "secret", "registry");
        Assert.Equal("kubernetes.io/dockerconfigjson", secret["type"]!.GetValue<string>());
        var config = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![".dockerconfigjson"]!.GetValue<string>()));
        Assert.Contains("\"registry.example:5000\"", config);
        Assert.Contains("\"username\":\"backup\"", config);
    }

    [Fact]
    public async Task Kubectl_create_configmap_puts_text_in_data_and_binary_files_in_binary_data()
    {
        var blob = BinaryKey();
        var created = (await Kubectl("create", "configmap", "mover-config", "--from-literal=a=b",
            "--from-literal=schedule=0 2 * * *", $"--from-file=blob={TempFile(blob)}")).EnsureSuccess();
        Assert.Contains("configmap/mover-config created", created.StdOut);

        var cm = await GetJsonAsync("get", "configmap", "mover-config");
        Assert.Equal("b", cm["data"]!["a"]!.GetValue<string>());
        Assert.Equal("0 2 * * *", cm["data"]!["schedule"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(blob), cm["binaryData"]!["blob"]!.GetValue<string>());
    }

    [Fact]
    public async Task Kubectl_create_serviceaccount_makes_a_service_account_in_the_namespace()
    {
        (await Kubectl("create", "namespace", "ops")).EnsureSuccess();
        var created = (await Kubectl("create", "serviceaccount", "mover", "-n", "ops")).EnsureSuccess();
        Assert.Contains("serviceaccount/mover created", created.StdOut);

        var sa = await GetJsonAsync("get", "serviceaccount", "mover", "-n", "ops");
        Assert.Equal("ops", sa["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Matches(@"[0-9a-f-]{36}", sa["metadata"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Kubectl_create_job_gets_the_container_command_and_the_job_defaults()
    {
        var created = (await Kubectl("create", "job", "mover-once", "--image=busybox:1.36", "--", "sh", "-c", "echo hi")).EnsureSuccess();
        Assert.Contains("job.batch/mover-once created", created.StdOut);

        var job = await GetJsonAsync("get", "job", "mover-once");
        var pod = job["spec"]!["template"]!["spec"]!;
        Assert.Equal("Never", pod["restartPolicy"]!.GetValue<string>());
        var container = pod["containers"]![0]!;
        Assert.Equal("mover-once", container["name"]!.GetValue<string>());
        Assert.Equal("busybox:1.36", container["image"]!.GetValue<string>());
        Assert.Equal(["sh", "-c", "echo hi"], container["command"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(6, job["spec"]!["backoffLimit"]!.GetValue<int>());
        Assert.Equal("mover-once", job["spec"]!["template"]!["metadata"]!["labels"]!["job-name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Kubectl_create_with_save_config_and_server_dry_run_returns_the_annotation_but_stores_nothing()
    {
        var result = (await Kubectl("create", "configmap", "dry", "--from-literal=a=b", "--save-config",
            "--dry-run=server", "-o", "json")).EnsureSuccess();

        var cm = JsonNode.Parse(result.StdOut)!.AsObject();
        var lastApplied = cm["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>();
        Assert.Contains("\"a\":\"b\"", lastApplied);
        Assert.Matches(@"[0-9a-f-]{36}", cm["metadata"]!["uid"]!.GetValue<string>());
        var get = await Kubectl("get", "configmap", "dry");
        Assert.Contains("configmaps \"dry\" not found", get.StdErr);
    }

    [Fact]
    public async Task Kubectl_create_of_an_existing_secret_says_already_exists()
    {
        (await Kubectl("create", "secret", "generic", "twice", "--from-literal=a=b")).EnsureSuccess();
        var again = await Kubectl("create", "secret", "generic", "twice", "--from-literal=a=b");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("secrets \"twice\" already exists", again.StdErr);
    }
}
