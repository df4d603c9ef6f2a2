using System.Diagnostics;
using System.Text;

namespace FiBackup.Testing.Kubelet;

/// <summary>
/// One pod's container as a local process: its output kept as the container's log, its exit code
/// as the container's (a signal N gives 128+N, as container runtimes report: SIGKILL is 137).
/// </summary>
public sealed class PodProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PodProcess(Process process, string @namespace, string pod, string commandLine, DateTime startedAt)
    {
        this.process = process;
        Namespace = @namespace;
        Pod = pod;
        CommandLine = commandLine;
        StartedAt = startedAt;
        Id = process.Id;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            // Exited can fire before the last output lines arrive; a bounded wait drains them (an
            // unbounded one would wait for any child still holding the pipe, e.g. a background job).
            process.WaitForExit(TimeSpan.FromSeconds(2));
            FinishedAt = DateTime.UtcNow;
            exited.TrySetResult(process.ExitCode);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited) { process.WaitForExit(TimeSpan.FromSeconds(2)); FinishedAt = DateTime.UtcNow; exited.TrySetResult(process.ExitCode); }
    }

    public string Namespace { get; }
    public string Pod { get; }
    public string CommandLine { get; }
    /// <summary>The pid, kept: logs want it after the process is disposed.</summary>
    public int Id { get; }
    public DateTime StartedAt { get; }
    public DateTime? FinishedAt { get; private set; }

    /// <summary>Whether the kubelet killed it (SIGKILL or past its grace period): the reason says Error, not Completed.</summary>
    public bool Killed { get; private set; }

    public Task<int> Exited => exited.Task;

    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public static PodProcess Start(string @namespace, string pod, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        // Through `env --default-signal`: a process inherits ignored signals from whatever started the
        // tests, and a shell cannot even trap a signal ignored on entry. Container runtimes start
        // containers with default signal handling; so does this.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add("--default-signal");
        foreach (var arg in argv) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {argv[0]}");
        return new PodProcess(process, @namespace, pod, string.Join(' ', argv), DateTime.UtcNow);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (log) log.AppendLine(line);
    }

    /// <summary>SIGKILL: a node failure, the OOM killer, `kill -9`.</summary>
    public async Task KillAsync()
    {
        Killed = true;
        if (!exited.Task.IsCompleted)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        await exited.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>What the kubelet does to a deleted pod: SIGTERM, and SIGKILL after the grace period.</summary>
    public async Task TerminateAsync(TimeSpan grace)
    {
        if (exited.Task.IsCompleted) return;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            await kill.WaitForExitAsync();
        try
        {
            await exited.Task.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); } catch (TimeoutException) { }
        process.Dispose();
    }
}
