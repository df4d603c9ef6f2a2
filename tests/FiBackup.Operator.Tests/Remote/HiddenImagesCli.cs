using FiBackup.Operator.Tests.Cli;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.Remote;

/// <summary>
/// Runs the fibackup process in a mount namespace of its own in which the hypervisor's image
/// directory is covered by an empty tmpfs: whatever reaches those images can only have gone
/// through libvirt. The shell that sets the namespace up counts the entries it sees in the
/// directory and prints the count on stderr just before it becomes fibackup (exec), so each run
/// proves it on its own; <see cref="AssertImagesWereHidden"/> checks it.
/// </summary>
public static class HiddenImagesCli
{
    private const string VisibleMarker = "fibt-visible-image-entries: ";

    private const string Script = """
        mount -t tmpfs -o "size=1m$2" fibackup-hidden "$1" || exit 97
        echo "fibt-visible-image-entries: $(ls -A "$1" | wc -l)" >&2
        shift 2
        exec "$@"
        """;

    public static Task<CliRun> RunAsync(string hiddenDirectory, params string[] args) => RunAsync(hiddenDirectory, readOnly: false, args);

    /// <param name="readOnly">The tmpfs is mounted read-only: this process may not write a directory of the image directory's name.</param>
    public static async Task<CliRun> RunAsync(string hiddenDirectory, bool readOnly, params string[] args)
    {
        if (!Directory.EnumerateFileSystemEntries(hiddenDirectory).Any())
            throw new InvalidOperationException($"{hiddenDirectory} is empty already: hiding it would prove nothing");
        string[] launcher = ["unshare", "--mount", "--propagation", "private", "sh", "-c", Script, "sh", hiddenDirectory, readOnly ? ",ro" : ""];
        var run = await Fibackup.RunProcessAsync(launcher, new Dictionary<string, string>(), args);
        AssertImagesWereHidden(run, hiddenDirectory);
        // What fibackup itself printed, without the namespace's line.
        return run with { Error = string.Join('\n', run.Error.Split('\n').Where(l => !l.StartsWith(VisibleMarker, StringComparison.Ordinal))) };
    }

    private static void AssertImagesWereHidden(CliRun run, string hiddenDirectory)
    {
        var line = run.Error.Split('\n').FirstOrDefault(l => l.StartsWith(VisibleMarker, StringComparison.Ordinal))
                   ?? throw new XunitException($"the mount namespace for {hiddenDirectory} was not set up (unshare/mount failed?): {run}");
        if (line[VisibleMarker.Length..].Trim() != "0")
            throw new XunitException($"the fibackup process could see {line[VisibleMarker.Length..].Trim()} entries in {hiddenDirectory}: {run}");
        if (!Directory.EnumerateFileSystemEntries(hiddenDirectory).Any())
            throw new XunitException($"{hiddenDirectory} looks empty from the test too: the tmpfs leaked out of the namespace");
    }
}
