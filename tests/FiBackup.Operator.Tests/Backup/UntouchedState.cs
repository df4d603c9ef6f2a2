using FiBackup.Operator.Tests.Cli;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// What a refused or failed command must leave as it was (DESIGN invariant 6, "changes nothing"):
/// whether the domain runs, each disk's live chain (active image first), the fibackup overlays
/// beside its images, and every file in the repository (lock files aside: taking a lock is not a
/// change a user can see).
/// </summary>
public sealed record UntouchedState(
    bool Running,
    IReadOnlyDictionary<string, IReadOnlyList<string>> LiveChains,
    IReadOnlyList<string> Overlays,
    IReadOnlyList<string> RepositoryFiles)
{
    public static async Task<UntouchedState> CaptureAsync(BackupScenario scenario, string? repository = null)
    {
        var chains = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var disk in scenario.Domain.Disks)
            chains[disk.Target] = await scenario.LiveChainAsync(disk.Target);
        return new UntouchedState(
            scenario.Domain.Domain.IsActive,
            chains,
            Directory.GetFiles(scenario.Domain.Directory, "*.fib-*.qcow2").Order(StringComparer.Ordinal).ToList(),
            FilesIn(repository ?? scenario.Repository));
    }

    /// <summary>Fails naming what changed since <see cref="CaptureAsync"/> and which run did it.</summary>
    public async Task AssertUnchangedAsync(BackupScenario scenario, CliRun run, string? repository = null)
    {
        var now = await CaptureAsync(scenario, repository);
        Check(Running == now.Running, $"the domain was {(Running ? "running" : "shut off")} and now is {(now.Running ? "running" : "shut off")}");
        foreach (var (target, chain) in LiveChains)
            Check(chain.SequenceEqual(now.LiveChains[target]),
                $"the live chain of {target} changed: {string.Join(" <- ", chain.Reverse())} became {string.Join(" <- ", now.LiveChains[target].Reverse())}");
        Check(Overlays.SequenceEqual(now.Overlays),
            $"the overlays beside the images changed: [{string.Join(", ", Overlays)}] became [{string.Join(", ", now.Overlays)}]");
        Check(RepositoryFiles.SequenceEqual(now.RepositoryFiles),
            $"the repository changed: [{string.Join(", ", RepositoryFiles)}] became [{string.Join(", ", now.RepositoryFiles)}]");

        void Check(bool unchanged, string what)
        {
            if (!unchanged) throw new XunitException($"{what}, after: {run}");
        }
    }

    /// <summary>Every file under the repository, relative, without lock files; none when it does not exist.</summary>
    private static IReadOnlyList<string> FilesIn(string repository) =>
        !Directory.Exists(repository)
            ? []
            : Directory.EnumerateFiles(repository, "*", SearchOption.AllDirectories)
                .Where(path => Path.GetFileName(path) != ".lock")
                .Select(path => Path.GetRelativePath(repository, path))
                .Order(StringComparer.Ordinal)
                .ToList();
}
