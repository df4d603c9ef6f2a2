using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FiBackup.Testing;

namespace FiBackup.Operator.Tests.Crds;

/// <summary>The committed CRDs as kubectl users meet them: applied, defaulted, validated and listed.</summary>
public sealed class CrdApiServerTests
{
    [Fact]
    public async Task Kubectl_applies_the_crds_and_they_become_established()
    {
        await using var api = await CrdServer.StartAsync();

        var result = (await api.Kubectl.RunAsync("get", "crd", "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Established\")].status} {end}")).EnsureSuccess();

        Assert.Equal("vmbackuppolicies.fibackup.io=True vmbackups.fibackup.io=True vmrestores.fibackup.io=True", result.StdOut.Trim());
    }

    [Fact]
    public async Task A_minimal_policy_is_accepted_and_gets_every_default()
    {
        await using var api = await CrdServer.StartAsync();

        (await api.ApplyAsync(MinimalPolicy)).EnsureSuccess();

        var spec = await GetSpecAsync(api, "vmbackuppolicy", "minimal");
        Assert.Equal("qemu:///system", (string?)spec["source"]!["libvirt"]!["uri"]);
        Assert.Equal("Auto", (string?)spec["mode"]);
        Assert.Equal("Snapshot", (string?)spec["technique"]);
        Assert.Equal("Preferred", (string?)spec["quiesce"]);
        Assert.Equal("Retain", (string?)spec["deletionPolicy"]);
        Assert.Equal(2, (int?)spec["backoffLimit"]);
        Assert.False((bool?)spec["suspend"]);
        Assert.False((bool?)spec["domains"]!["all"]);
    }

    [Fact]
    public async Task A_manual_backup_gets_mode_auto_and_a_restore_gets_its_target_flags()
    {
        await using var api = await CrdServer.StartAsync();

        (await api.ApplyAsync(Object("VmBackup", "manual", "{policyRef: {name: nightly}, domain: web-1}"))).EnsureSuccess();
        (await api.ApplyAsync(Object("VmRestore", "back", "{backupRef: {name: manual}, target: {directory: /var/lib/libvirt/images}}"))).EnsureSuccess();

        Assert.Equal("Auto", (string?)(await GetSpecAsync(api, "vmbackup", "manual"))["mode"]);
        var target = (await GetSpecAsync(api, "vmrestore", "back"))["target"]!;
        Assert.False((bool?)target["inPlace"]);
        Assert.False((bool?)target["start"]);
    }

    [Fact]
    public async Task An_unknown_enum_value_is_refused_naming_the_field_and_the_value()
    {
        await using var api = await CrdServer.StartAsync();

        var result = await api.ApplyAsync(Object("VmBackup", "bad", "{domain: web-1, mode: Sometimes}"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.mode", result.StdErr);
        Assert.Contains("\"Sometimes\"", result.StdErr);
    }

    [Fact]
    public async Task An_out_of_range_number_is_refused_naming_the_field()
    {
        await using var api = await CrdServer.StartAsync();

        var result = await api.ApplyAsync(MinimalPolicy.Replace("schedule:", "backoffLimit: 101\n  concurrency: {maxParallel: 0}\n  schedule:"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.backoffLimit", result.StdErr);
        Assert.Contains("spec.concurrency.maxParallel", result.StdErr);
    }

    [Fact]
    public async Task A_bandwidth_limit_that_is_no_quantity_is_refused()
    {
        await using var api = await CrdServer.StartAsync();

        var result = await api.ApplyAsync(MinimalPolicy.Replace("schedule:", "bandwidthLimit: fast\n  schedule:"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.bandwidthLimit", result.StdErr);
    }

    [Fact]
    public async Task A_backup_without_domain_is_refused_as_missing_a_required_field()
    {
        await using var api = await CrdServer.StartAsync();

        var result = await api.ApplyAsync(Object("VmBackup", "nodomain", "{policyRef: {name: nightly}}"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.domain", result.StdErr);
        Assert.Contains("Required value", result.StdErr);
    }

    [Fact]
    public async Task Kubectl_get_vmb_shows_the_backup_columns()
    {
        await using var api = await CrdServer.StartAsync();
        (await api.ApplyAsync(Object("VmBackup", "manual", "{policyRef: {name: nightly}, domain: web-1}"))).EnsureSuccess();

        var header = await HeaderAsync(api, "vmb");

        Assert.Equal(["NAME", "DOMAIN", "TYPE", "PHASE", "STEP", "PROGRESS", "SIZE", "POINT", "AGE"], header);
    }

    [Fact]
    public async Task Kubectl_get_vmbp_shows_the_policy_columns()
    {
        await using var api = await CrdServer.StartAsync();
        (await api.ApplyAsync(MinimalPolicy)).EnsureSuccess();

        var header = await HeaderAsync(api, "vmbp");

        Assert.Equal(["NAME", "SCHEDULE", "SUSPENDED", "LAST BACKUP", "LAST RESULT", "NEXT BACKUP", "AGE"], header);
    }

    [Fact]
    public async Task Kubectl_get_vmbp_shows_the_next_backup_as_a_time_not_as_an_invalid_age()
    {
        await using var api = await CrdServer.StartAsync();
        (await api.ApplyAsync(MinimalPolicy)).EnsureSuccess();
        var next = DateTime.UtcNow.AddHours(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        (await api.Kubectl.RunAsync("patch", "vmbp", "minimal", "-n", CrdServer.Namespace, "--subresource=status", "--type=merge",
            "-p", $"{{\"status\": {{\"nextScheduleTime\": \"{next}\"}}}}")).EnsureSuccess();

        var table = (await api.Kubectl.RunAsync("get", "vmbp", "minimal", "-n", CrdServer.Namespace)).EnsureSuccess().StdOut;

        Assert.Contains(next, table);
        Assert.DoesNotContain("<invalid>", table);
    }

    [Fact]
    public async Task Kubectl_get_vmr_shows_the_restore_columns()
    {
        await using var api = await CrdServer.StartAsync();
        (await api.ApplyAsync(Object("VmRestore", "back", "{backupRef: {name: manual}, target: {directory: /restored}}"))).EnsureSuccess();

        var header = await HeaderAsync(api, "vmr");

        Assert.Equal(["NAME", "BACKUP", "TARGET", "PHASE", "AGE"], header);
    }

    [Fact]
    public async Task Kubectl_get_fibackup_lists_objects_of_all_three_kinds()
    {
        await using var api = await CrdServer.StartAsync();
        (await api.ApplyAsync(MinimalPolicy)).EnsureSuccess();
        (await api.ApplyAsync(Object("VmBackup", "manual", "{policyRef: {name: minimal}, domain: web-1}"))).EnsureSuccess();
        (await api.ApplyAsync(Object("VmRestore", "back", "{backupRef: {name: manual}, target: {directory: /restored}}"))).EnsureSuccess();

        var result = (await api.Kubectl.RunAsync("get", "fibackup", "-n", CrdServer.Namespace, "-o", "name")).EnsureSuccess();

        Assert.Equal(
            ["vmbackup.fibackup.io/manual", "vmbackuppolicy.fibackup.io/minimal", "vmrestore.fibackup.io/back"],
            result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public async Task The_examples_pass_a_server_side_dry_run()
    {
        await using var api = await CrdServer.StartAsync();

        var result = await api.Kubectl.RunAsync("apply", "--dry-run=server", "-f", SourceCheckout.PathOf("examples"));

        Assert.True(result.ExitCode == 0, $"{result.CommandLine}\n{result.StdOut}{result.StdErr}");
        Assert.Contains("vmbackuppolicy.fibackup.io/nightly created (server dry run)", result.StdOut);
        Assert.Contains("vmbackuppolicy.fibackup.io/hv2-nightly created (server dry run)", result.StdOut);
        Assert.Contains("vmbackup.fibackup.io/web-1-before-upgrade created (server dry run)", result.StdOut);
        Assert.Contains("vmrestore.fibackup.io/web-1-yesterday created (server dry run)", result.StdOut);
    }

    private const string MinimalPolicy = """
        apiVersion: fibackup.io/v1alpha1
        kind: VmBackupPolicy
        metadata: {name: minimal, namespace: vm-backups}
        spec:
          source: {libvirt: {}}
          domains: {names: [web-1]}
          schedule: "0 2 * * *"
          destination: {persistentVolumeClaim: {claimName: vm-backups}}
        """;

    private static string Object(string kind, string name, string spec) =>
        $"apiVersion: fibackup.io/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}, namespace: {CrdServer.Namespace}}}\nspec: {spec}\n";

    private static async Task<JsonNode> GetSpecAsync(Testing.KubeApi.KubeApiServer api, string kind, string name)
    {
        var result = (await api.Kubectl.RunAsync("get", kind, name, "-n", CrdServer.Namespace, "-o", "json")).EnsureSuccess();
        return JsonNode.Parse(result.StdOut)!["spec"]!;
    }

    private static async Task<string[]> HeaderAsync(Testing.KubeApi.KubeApiServer api, string resource)
    {
        var result = (await api.Kubectl.RunAsync("get", resource, "-n", CrdServer.Namespace)).EnsureSuccess();
        var header = result.StdOut.Split('\n')[0];
        return Regex.Split(header.Trim(), @"\s{2,}");
    }
}
