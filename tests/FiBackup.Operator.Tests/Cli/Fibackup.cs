using System.CommandLine;
using System.Diagnostics;
using FiBackup.Operator.Cli;

namespace FiBackup.Operator.Tests.Cli;

/// <summary>What one `fibackup` invocation did: its exit code and everything it printed.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
}

/// <summary>Runs the `fibackup` command line as a user would: in-process through the real command tree, or as a child process.</summary>
public static class Fibackup
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FibackupCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs the built fibackup.dll (copied beside the tests) in its own process, for what only a
    /// process can show, such as being killed half-way by FIBACKUP_CRASH_AT.
    /// </summary>
    public static Task<CliRun> RunProcessAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunProcessAsync(launcher: [], environment, args);

    /// <summary>
    /// As <see cref="RunProcessAsync(IReadOnlyDictionary{string, string}, string[])"/>, started through
    /// <paramref name="launcher"/> (a command and its arguments, e.g. setpriv to run as another user).
    /// </summary>
    public static async Task<CliRun> RunProcessAsync(IReadOnlyList<string> launcher, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string[] command = [.. launcher, "dotnet", Path.Combine(AppContext.BaseDirectory, "fibackup.dll"), .. args];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in command[1..]) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }
}
