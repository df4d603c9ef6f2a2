using FiBackup.Testing.ArgoCd;
using YamlDotNet.RepresentationModel;

namespace FiBackup.Chart.Tests;

/// <summary>
/// The Argo CD health checks in examples/argocd/resource_customizations, tested as Argo CD tests its
/// own: every case of &lt;group&gt;/&lt;Kind&gt;/health_test.yaml runs health.lua on its testdata object
/// (status objects the operator wrote in the e2e tests) through lua5.1 and must give the expected
/// status and message.
/// </summary>
public sealed class ArgoCdHealthTests
{
    private static readonly string Customizations = Checkout.PathOf("examples/argocd/resource_customizations");

    [Theory]
    [InlineData("VmBackupPolicy")]
    [InlineData("VmBackup")]
    [InlineData("VmRestore")]
    public async Task Health_lua_gives_the_expected_status_and_message_for_every_test_object(string kind)
    {
        var dir = Path.Combine(Customizations, "fibackup.io", kind);
        var cases = ReadCases(Path.Combine(dir, "health_test.yaml"));
        Assert.NotEmpty(cases);
        var mismatches = new List<string>();
        foreach (var (input, expected) in cases)
        {
            var actual = await LuaHealthCheck.RunAsync(Path.Combine(dir, "health.lua"), await File.ReadAllTextAsync(Path.Combine(dir, input)));
            if (actual != expected) mismatches.Add($"{input}: expected {expected}, got {actual}");
        }
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Fact]
    public void Every_kind_of_the_operator_has_a_health_check_and_every_testdata_file_is_used()
    {
        var kinds = Directory.GetDirectories(Path.Combine(Customizations, "fibackup.io")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["VmBackup", "VmBackupPolicy", "VmRestore"], kinds);
        foreach (var kind in kinds)
        {
            var dir = Path.Combine(Customizations, "fibackup.io", kind);
            var used = ReadCases(Path.Combine(dir, "health_test.yaml")).Select(c => Path.GetFullPath(Path.Combine(dir, c.Input))).ToHashSet();
            foreach (var file in Directory.GetFiles(Path.Combine(dir, "testdata")))
                Assert.True(used.Contains(Path.GetFullPath(file)), $"{file} is in no case of {kind}/health_test.yaml");
        }
    }

    [Fact]
    public void The_argocd_cm_snippet_in_docs_carries_the_tested_scripts_verbatim()
    {
        var doc = File.ReadAllText(Checkout.PathOf("docs/argocd.md"));
        var start = doc.IndexOf("kind: ConfigMap", StringComparison.Ordinal);
        Assert.True(start > 0, "docs/argocd.md has no argocd-cm ConfigMap");
        start = doc.LastIndexOf("```yaml\n", start, StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var data = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["data"];
        foreach (var kind in new[] { "VmBackupPolicy", "VmBackup", "VmRestore" })
        {
            var script = File.ReadAllText(Path.Combine(Customizations, "fibackup.io", kind, "health.lua"));
            Assert.Equal(script, ((YamlScalarNode)data[$"resource.customizations.health.fibackup.io_{kind}"]).Value);
        }
    }

    // Argo CD's format: tests: [{healthStatus: {status, message}, inputPath: testdata/x.yaml}]
    private static List<(string Input, HealthStatus Expected)> ReadCases(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var tests = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["tests"];
        return tests.Children.Cast<YamlMappingNode>().Select(t =>
        {
            var health = (YamlMappingNode)t["healthStatus"];
            var message = health.Children.TryGetValue("message", out var m) ? ((YamlScalarNode)m).Value ?? "" : "";
            return (((YamlScalarNode)t["inputPath"]).Value!, new HealthStatus(((YamlScalarNode)health["status"]).Value!, message));
        }).ToList();
    }
}
