using System.Text.Json;
using FiBackup.Operator.Tests.Cli;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>What `fibackup list` says is in a repository the operator wrote.</summary>
public static class Repository
{
    /// <summary>The domain's restore points as `fibackup list --output json` shows them (none when the repository has no such domain).</summary>
    public static async Task<JsonElement[]> PointsAsync(string repository, string domain)
    {
        var run = await Fibackup.RunAsync("list", "--repository", repository, "--domain", domain, "--output", "json");
        if (run.ExitCode == 2 && run.Error.Contains($"no domain \"{domain}\" in repository", StringComparison.Ordinal)) return [];
        Assert.True(run.ExitCode == 0, $"fibackup list of {domain} in {repository}: {run}");
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToArray();
    }

    public static async Task<string[]> PointIdsAsync(string repository, string domain) =>
        (await PointsAsync(repository, domain)).Select(p => p.GetProperty("id").GetString()!).ToArray();
}
