using FiBackup.Testing.KubeApi;

namespace FiBackup.Chart.Tests;

/// <summary>`helm lint` of the chart, and values.schema.json holding values.yaml and refusing bad values.</summary>
public sealed class ChartLintTests : IDisposable
{
    private readonly Helm _helm = new();

    [Fact]
    public async Task Chart_passes_helm_lint_strict_with_default_values()
    {
        // Lint validates values.yaml against values.schema.json: a default outside the schema fails here.
        var lint = await _helm.RunAsync("lint", "--strict", Checkout.Chart);
        Assert.True(lint.ExitCode == 0, $"{lint.CommandLine}\n{lint.StdOut}{lint.StdErr}");
        Assert.Contains("0 chart(s) failed", lint.StdOut);
    }

    [Fact]
    public async Task Chart_passes_helm_lint_strict_with_every_option_on()
    {
        var lint = await _helm.RunAsync("lint", "--strict", Checkout.Chart, "-f", Checkout.Asset("non-default-values.yaml"));
        Assert.True(lint.ExitCode == 0, $"{lint.CommandLine}\n{lint.StdOut}{lint.StdErr}");
    }

    [Theory]
    [InlineData("replicas=two", "replicas: Invalid type. Expected: integer, given: string")]
    [InlineData("mover.type=sidecar", "mover.type: mover.type must be one of the following")]
    [InlineData("metrics.port=70000", "metrics.port: Must be less than or equal to 65535")]
    [InlineData("watchNamespace=Not_A_Namespace", "watchNamespace: Does not match pattern")]
    [InlineData("replica=2", "Additional property replica is not allowed")]
    public async Task A_bad_value_is_refused_naming_the_field(string set, string expected)
    {
        var template = await _helm.RunAsync("template", "r", Checkout.Chart, "--set", set);
        Assert.NotEqual(0, template.ExitCode);
        Assert.Contains(expected, template.StdErr);

        var lint = await _helm.RunAsync("lint", Checkout.Chart, "--set", set);
        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains(expected, lint.StdOut + lint.StdErr);
    }

    [Fact]
    public void Chart_crds_are_byte_for_byte_the_generated_top_level_crds()
    {
        var top = Directory.GetFiles(Checkout.PathOf("crds"), "*.yaml").Select(Path.GetFileName).Order().ToList();
        var chart = Directory.GetFiles(Path.Combine(Checkout.Chart, "crds")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(top, chart);
        Assert.NotEmpty(top);
        foreach (var name in top)
            Assert.True(File.ReadAllBytes(Checkout.PathOf($"crds/{name}")).SequenceEqual(File.ReadAllBytes(Path.Combine(Checkout.Chart, "crds", name!))),
                $"charts/fi-backup-operator/crds/{name} differs from crds/{name}: cp crds/*.yaml charts/fi-backup-operator/crds/");
    }

    [Fact]
    public void Every_value_is_documented_in_values_yaml_and_in_the_chart_readme_table()
    {
        var lines = File.ReadAllLines(Path.Combine(Checkout.Chart, "values.yaml"));
        var readme = File.ReadAllText(Path.Combine(Checkout.Chart, "README.md"));
        var stack = new List<string>();
        var documented = false;
        var missing = new List<string>();
        var coveredBelow = int.MaxValue;   // the children of a map documented as a whole (podSecurityContext, resources)
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("# --", StringComparison.Ordinal)) { documented = true; continue; }
            if (line.TrimStart().StartsWith('#') || line.Trim().Length == 0 || line.TrimStart().StartsWith('-')) continue;
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^(\s*)([A-Za-z]\w*):\s*(.*)$");
            if (!match.Success) continue;
            var depth = match.Groups[1].Length / 2;
            if (depth > coveredBelow) { documented = false; continue; }
            coveredBelow = int.MaxValue;
            stack = [.. stack.Take(depth), match.Groups[2].Value];
            var path = string.Join('.', stack);
            var isParent = match.Groups[3].Value.Length == 0 && !documented;
            if (!isParent && !(documented && readme.Contains($"| `{path}` |", StringComparison.Ordinal))) missing.Add(path);
            if (documented && match.Groups[3].Value.Length == 0) coveredBelow = depth;
            documented = false;
        }
        Assert.True(missing.Count == 0, "values without a `# --` comment in values.yaml or a row in charts/fi-backup-operator/README.md: "
            + string.Join(", ", missing));
    }

    public void Dispose() => _helm.Dispose();
}
