using FiBackup.Operator.Tests.Cli;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// The CLI's error contract (CommandRunner): a refused or failed command exits with the given
/// code and prints exactly one "fibackup: error: ..." line on stderr, which names what was wrong.
/// </summary>
public static class CliError
{
    public const int Failure = 1;
    public const int InvalidInput = 2;

    /// <summary>Returns the error line after checking the exit code and that it mentions each of <paramref name="mentions"/>.</summary>
    public static string AssertFailed(CliRun run, int exitCode, params string[] mentions)
    {
        if (run.ExitCode != exitCode) throw new XunitException($"expected exit code {exitCode}: {run}");
        var errors = run.Error.Split('\n').Where(line => line.StartsWith("fibackup: error: ", StringComparison.Ordinal)).ToList();
        if (errors.Count != 1) throw new XunitException($"expected exactly one \"fibackup: error:\" line: {run}");
        foreach (var mention in mentions)
        {
            if (!errors[0].Contains(mention, StringComparison.Ordinal))
                throw new XunitException($"the error line does not mention \"{mention}\": {errors[0]}");
        }
        return errors[0];
    }
}
