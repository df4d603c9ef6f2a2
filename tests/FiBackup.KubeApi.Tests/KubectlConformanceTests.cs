using FiBackup.Testing.KubeApi;
using k8s;
using k8s.Models;

namespace FiBackup.KubeApi.Tests;

/// <summary>The server held to the real kubectl 1.32: what a user types must behave as against kube-apiserver.</summary>
public sealed class KubectlConformanceTests : IAsyncLifetime
{
    private KubeApiServer _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task<KubectlResult> Kubectl(params string[] args) => _api.Kubectl.RunAsync(args);

    private async Task ApplyCrdAsync() =>
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-crd.yaml"))).EnsureSuccess();

    [Fact]
    public async Task Kubectl_apply_of_a_crd_serves_its_resource_with_short_name_and_category()
    {
        var applied = (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-crd.yaml"))).EnsureSuccess();
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/vmbackups.fibackup.io created", applied.StdOut);

        var resources = (await Kubectl("api-resources", "--api-group", "fibackup.io")).EnsureSuccess();
        Assert.Matches(@"vmbackups\s+vmb\s+fibackup.io/v1alpha1\s+true\s+VmBackup", resources.StdOut);

        var empty = (await Kubectl("get", "vmb")).EnsureSuccess();
        Assert.Contains("No resources found in default namespace.", empty.StdErr);
        (await Kubectl("get", "fibackup")).EnsureSuccess();
    }

    [Fact]
    public async Task Kubectl_apply_creates_a_custom_resource_then_a_changed_apply_updates_it()
    {
        await ApplyCrdAsync();
        var created = (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        Assert.Contains("vmbackup.fibackup.io/web-1-manual created", created.StdOut);

        var same = (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        Assert.Contains("vmbackup.fibackup.io/web-1-manual unchanged", same.StdOut);

        var changed = (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1-full.yaml"))).EnsureSuccess();
        Assert.Contains("vmbackup.fibackup.io/web-1-manual configured", changed.StdOut);
        var mode = (await Kubectl("get", "vmb", "web-1-manual", "-o", "jsonpath={.spec.mode} {.metadata.generation}")).EnsureSuccess();
        Assert.Equal("Full 2", mode.StdOut);
    }

    [Fact]
    public async Task Kubectl_get_shows_the_printer_columns()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        var client = _api.CreateClient();
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Running","type":"Full","progress":{"percent":42},"size":"1.5Gi","restorePoint":"20261127T020000Z"}}""", V1Patch.PatchType.MergePatch),
            "fibackup.io", "v1alpha1", "default", "vmbackups", "web-1-manual");

        var table = (await Kubectl("get", "vmbackups")).EnsureSuccess().StdOut.Split('\n');
        Assert.Matches(@"^NAME\s+DOMAIN\s+TYPE\s+PHASE\s+PROGRESS\s+SIZE\s+AGE\s*$", table[0]);
        Assert.Matches(@"^web-1-manual\s+web-1\s+Full\s+Running\s+42\s+1.5Gi\s+\d+s\s*$", table[1]);

        var wide = (await Kubectl("get", "vmb", "-o", "wide")).EnsureSuccess().StdOut.Split('\n');
        Assert.Matches(@"^NAME\s+DOMAIN\s+TYPE\s+PHASE\s+PROGRESS\s+SIZE\s+POINT\s+AGE\s*$", wide[0]);
        Assert.Contains("20261127T020000Z", wide[1]);
    }

    [Fact]
    public async Task Kubectl_get_yaml_shows_the_server_fields_and_schema_defaults()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        var yaml = (await Kubectl("get", "vmb", "web-1-manual", "-o", "yaml")).EnsureSuccess().StdOut;
        Assert.Contains("apiVersion: fibackup.io/v1alpha1", yaml);
        Assert.Contains("kind: VmBackup", yaml);
        Assert.Matches(@"creationTimestamp: ""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ""", yaml);
        Assert.Matches(@"resourceVersion: ""\d+""", yaml);
        Assert.Matches(@"uid: [0-9a-f-]{36}", yaml);
        Assert.Contains("generation: 1", yaml);
        Assert.Contains("mode: Auto", yaml); // the schema default
    }

    [Fact]
    public async Task Kubectl_patch_merge_changes_the_object_and_a_bad_value_names_the_field()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        var patched = (await Kubectl("patch", "vmb", "web-1-manual", "--type", "merge", "-p", """{"spec":{"retries":3}}""")).EnsureSuccess();
        Assert.Contains("vmbackup.fibackup.io/web-1-manual patched", patched.StdOut);
        Assert.Equal("3", (await Kubectl("get", "vmb", "web-1-manual", "-o", "jsonpath={.spec.retries}")).StdOut);

        var tooMany = await Kubectl("patch", "vmb", "web-1-manual", "--type", "merge", "-p", """{"spec":{"retries":30}}""");
        Assert.NotEqual(0, tooMany.ExitCode);
        Assert.Contains("spec.retries: Invalid value: 30: spec.retries in body should be less than or equal to 10", tooMany.StdErr);

        var strategic = await Kubectl("patch", "vmb", "web-1-manual", "-p", """{"spec":{"retries":4}}""");
        Assert.NotEqual(0, strategic.ExitCode);
        Assert.Contains("application/strategic-merge-patch+json is not supported", strategic.StdErr);
    }

    [Fact]
    public async Task Kubectl_delete_removes_the_object()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        var deleted = (await Kubectl("delete", "vmb", "web-1-manual")).EnsureSuccess();
        Assert.Contains("vmbackup.fibackup.io \"web-1-manual\" deleted", deleted.StdOut);

        var missing = await Kubectl("get", "vmb", "web-1-manual");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): vmbackups.fibackup.io \"web-1-manual\" not found", missing.StdErr);
    }

    [Fact]
    public async Task Kubectl_wait_for_a_condition_returns_when_the_status_reports_it()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        await using var wait = _api.Kubectl.Start("wait", "vmb/web-1-manual", "--for=condition=Complete", "--timeout=30s");

        await Task.Delay(300); // let kubectl start watching; the wait must hold until the condition appears
        var client = _api.CreateClient();
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Succeeded","conditions":[{"type":"Complete","status":"True","reason":"Done","lastTransitionTime":"2026-11-27T02:00:00Z"}]}}""", V1Patch.PatchType.MergePatch),
            "fibackup.io", "v1alpha1", "default", "vmbackups", "web-1-manual");

        var line = await wait.ReadLineAsync(TestAssets.Patience);
        Assert.Equal("vmbackup.fibackup.io/web-1-manual condition met", line);
        Assert.Equal(0, await wait.WaitForExitAsync(TestAssets.Patience));
    }

    [Fact]
    public async Task Kubectl_get_watch_prints_changes()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        await using var watch = _api.Kubectl.Start("get", "vmb", "-w");
        Assert.Matches(@"^NAME\s+DOMAIN", await watch.ReadLineAsync(TestAssets.Patience));
        Assert.StartsWith("web-1-manual", await watch.ReadLineAsync(TestAssets.Patience));

        var client = _api.CreateClient();
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch),
            "fibackup.io", "v1alpha1", "default", "vmbackups", "web-1-manual");
        var running = await watch.ReadUntilAsync(l => l.Contains("Running"), TestAssets.Patience);
        Assert.StartsWith("web-1-manual", running);

        (await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-web-1.yaml").Replace("web-1.yaml", "web-1-full.yaml"))).EnsureSuccess();
        await Kubectl("create", "-f", TestAssets.PathOf("vmbackup-web-1.yaml")); // AlreadyExists: no new line
        var client2 = _api.CreateClient();
        await client2.CustomObjects.CreateNamespacedCustomObjectAsync(TestAssets.VmBackup("db-1-manual", "db-1"), "fibackup.io", "v1alpha1", "default", "vmbackups");
        Assert.StartsWith("db-1-manual", await watch.ReadUntilAsync(l => l.StartsWith("db-1-manual"), TestAssets.Patience));
    }

    [Fact]
    public async Task Kubectl_apply_of_an_invalid_object_names_the_field()
    {
        await ApplyCrdAsync();
        var result = await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-invalid-mode.yaml"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.mode: Unsupported value: \"Sometimes\": supported values: \"Auto\", \"Full\", \"Incremental\"", result.StdErr);
    }

    [Fact]
    public async Task Kubectl_apply_of_an_unknown_field_is_rejected_by_strict_field_validation()
    {
        await ApplyCrdAsync();
        var result = await Kubectl("apply", "-f", TestAssets.PathOf("vmbackup-unknown-field.yaml"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.moed\"", result.StdErr);
    }

    [Fact]
    public async Task Kubectl_server_side_apply_creates_updates_and_removes_dropped_fields()
    {
        await ApplyCrdAsync();
        (await Kubectl("apply", "--server-side", "-f", TestAssets.PathOf("vmbackup-web-1-full.yaml"))).EnsureSuccess();
        Assert.Equal("Full", (await Kubectl("get", "vmb", "web-1-manual", "-o", "jsonpath={.spec.mode}")).StdOut);

        var reapplied = (await Kubectl("apply", "--server-side", "-f", TestAssets.PathOf("vmbackup-web-1.yaml"))).EnsureSuccess();
        Assert.Contains("serverside-applied", reapplied.StdOut);
        // mode was dropped from the applied configuration, so it goes back to the schema default.
        Assert.Equal("Auto", (await Kubectl("get", "vmb", "web-1-manual", "-o", "jsonpath={.spec.mode}")).StdOut);
    }

    [Fact]
    public async Task Kubectl_apply_of_built_in_kinds_uses_strategic_merge_patch()
    {
        var path = Path.Combine(Path.GetDirectoryName(_api.KubeconfigPath)!, "config.yaml");
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  finalizers: [example.com/keep]\ndata:\n  a: \"1\"\n");
        (await Kubectl("apply", "-f", path)).EnsureSuccess();
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: \"2\"\n");
        var configured = (await Kubectl("apply", "-f", path)).EnsureSuccess();
        Assert.Contains("configmap/settings configured", configured.StdOut);
        var data = (await Kubectl("get", "cm", "settings", "-o", "jsonpath={.data} {.metadata.finalizers}")).EnsureSuccess().StdOut;
        Assert.Equal("{\"b\":\"2\"} ", data);
        var table = (await Kubectl("get", "configmaps")).EnsureSuccess().StdOut;
        Assert.Matches(@"settings\s+1\s+\d+s", table);
    }
}
