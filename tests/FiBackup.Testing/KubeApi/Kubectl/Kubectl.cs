using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace FiBackup.Testing.KubeApi;

/// <summary>What a finished kubectl run printed and returned.</summary>
public sealed record KubectlResult(int ExitCode, string StdOut, string StdErr, string CommandLine)
{
    public KubectlResult EnsureSuccess() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"`{CommandLine}` exited {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}");
}

/// <summary>
/// Runs the real kubectl against a <see cref="KubeApiServer"/>: arguments as an array (never a shell string),
/// the server's admin kubeconfig (or a service account's) and a cache directory of its own. Fails loudly when kubectl is not installed.
/// Any other cluster (a k3s in a container) is reached with its kubeconfig and a cache directory the caller owns.
/// </summary>
public sealed class Kubectl(string kubeconfigPath, string cacheDirectory)
{
    public Kubectl(KubeApiServer server) : this(server, server.KubeconfigPath) { }

    public Kubectl(KubeApiServer server, string kubeconfigPath) : this(kubeconfigPath, server.CacheDirectory) { }

    /// <summary>KUBECTL overrides; otherwise /usr/bin/kubectl or the first kubectl on PATH.</summary>
    public static string Executable { get; } = Locate();

    private static string Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } fromEnv) candidates.Add(fromEnv);
        candidates.Add("/usr/bin/kubectl");
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl")));
        return candidates.FirstOrDefault(File.Exists) ?? "";
    }

    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync(args, stdin: null, TimeSpan.FromSeconds(60));

    public async Task<KubectlResult> RunAsync(IReadOnlyList<string> args, string? stdin, TimeSpan timeout)
    {
        using var process = StartProcess(args, redirectInput: stdin is not null);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{CommandLine(args)}` did not finish within {timeout}");
        }
        return new KubectlResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), CommandLine(args));
    }

    /// <summary>Starts a long-running kubectl (get -w, wait) whose output lines can be awaited one by one.</summary>
    public KubectlStream Start(params string[] args) => new(StartProcess(args, redirectInput: false), CommandLine(args));

    private Process StartProcess(IReadOnlyList<string> args, bool redirectInput)
    {
        if (Executable.Length == 0)
            throw new InvalidOperationException("kubectl is not installed (looked at $KUBECTL, /usr/bin/kubectl and PATH); these tests need the real kubectl 1.32");
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfigPath);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(cacheDirectory);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["KUBECONFIG"] = kubeconfigPath;
        info.Environment["KUBECACHEDIR"] = cacheDirectory;
        info.Environment["NO_COLOR"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {Executable}");
    }

    private static string CommandLine(IReadOnlyList<string> args) => "kubectl " + string.Join(' ', args);
}

/// <summary>A running kubectl whose stdout is read line by line (for `kubectl get -w`).</summary>
public sealed class KubectlStream : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _pump;

    internal KubectlStream(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
        _pump = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line) _lines.Writer.TryWrite(line);
            _lines.Writer.TryComplete();
        });
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                lock (_stderr) _stderr.AppendLine(line);
        });
    }

    public string CommandLine { get; }

    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>The next stdout line, or a TimeoutException naming the command and what it printed to stderr.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(cancel.Token).ConfigureAwait(false) && _lines.Reader.TryRead(out var line)) return line;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"`{CommandLine}` printed no line within {timeout}; stderr: {StdErr}");
        }
        throw new InvalidOperationException($"`{CommandLine}` ended; stderr: {StdErr}");
    }

    /// <summary>Reads lines until one satisfies <paramref name="match"/>.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var line = await ReadLineAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)).ConfigureAwait(false);
            if (match(line)) return line;
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }
}
