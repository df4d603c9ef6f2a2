using System.Diagnostics;
using System.Text;

namespace FiBackup.Testing.Operator;

/// <summary>
/// One `fibackup operator` process (the built fibackup.dll beside the tests), its stdout and stderr
/// kept for the test output. <see cref="KillAsync"/> is a SIGKILL (a crash: no cleanup runs);
/// <see cref="StopAsync"/> a SIGTERM (a pod being deleted).
/// </summary>
public sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private bool exited;
    private bool disposed;

    private OperatorProcess(Process process, string identity, string commandLine)
    {
        this.process = process;
        Identity = identity;
        CommandLine = commandLine;
        Id = process.Id;
        process.OutputDataReceived += (_, e) => Append("out", e.Data);
        process.ErrorDataReceived += (_, e) => Append("err", e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Identity { get; }
    public string CommandLine { get; }
    /// <summary>The pid, kept: it is still wanted in messages after the process is disposed.</summary>
    public int Id { get; }
    public bool HasExited => exited || (!disposed && process.HasExited);

    /// <summary>Everything the process printed so far, each line tagged out/err.</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public static OperatorProcess Start(string identity, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fibackup.dll"));
        start.ArgumentList.Add("operator");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet fibackup.dll operator");
        return new OperatorProcess(process, identity, "fibackup operator " + string.Join(' ', args));
    }

    private void Append(string stream, string? line)
    {
        if (line is null) return;
        lock (log) log.Append(stream).Append(": ").AppendLine(line);
    }

    /// <summary>SIGKILL, as the kernel's OOM killer or a node failure would end it.</summary>
    public async Task KillAsync()
    {
        if (HasExited)
        {
            exited = true;
            return;
        }
        process.Kill(entireProcessTree: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
        exited = true;
    }

    /// <summary>SIGTERM and wait for a graceful exit; a SIGKILL when it does not come within <paramref name="grace"/>.</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (HasExited) return exited = true;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return exited = true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or not reaped in time: nothing more a test can do.
        }
        disposed = true;
        process.Dispose();
    }
}
