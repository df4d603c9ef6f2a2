using System.Diagnostics;
using System.Text;

namespace FiBackup.Testing.KubeApi;

/// <summary>
/// Runs the real Helm 3 binary (tools/helm/helm, installed by scripts/setup.sh; $HELM overrides):
/// arguments as an array, a private config/cache/data home per instance, and the local API server's
/// kubeconfig when one is given (or any cluster's kubeconfig file, such as a k3s's).
/// </summary>
public sealed class Helm : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("fibackup-helm-").FullName;
    private readonly string? _kubeconfigPath;

    public Helm(KubeApiServer? server = null) => _kubeconfigPath = server?.KubeconfigPath;

    public Helm(string kubeconfigPath) => _kubeconfigPath = kubeconfigPath;

    public static string Executable { get; } = Locate();

    public static string MissingMessage =>
        $"helm is not installed at {SourceCheckout.PathOf("tools/helm/helm")} (nor $HELM): run scripts/setup.sh, which installs Helm 3.17 there";

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("HELM") is { Length: > 0 } fromEnv && File.Exists(fromEnv)) return fromEnv;
        var local = SourceCheckout.PathOf("tools/helm/helm");
        return File.Exists(local) ? local : "";
    }

    public async Task<KubectlResult> RunAsync(params string[] args) => await RunAsync(args, TimeSpan.FromMinutes(2));

    public async Task<KubectlResult> RunAsync(IReadOnlyList<string> args, TimeSpan timeout)
    {
        if (Executable.Length == 0) throw new InvalidOperationException(MissingMessage);
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        if (_kubeconfigPath is not null)
        {
            info.ArgumentList.Add("--kubeconfig");
            info.ArgumentList.Add(_kubeconfigPath);
        }
        info.Environment["HELM_CONFIG_HOME"] = Path.Combine(_home, "config");
        info.Environment["HELM_CACHE_HOME"] = Path.Combine(_home, "cache");
        info.Environment["HELM_DATA_HOME"] = Path.Combine(_home, "data");
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`helm {string.Join(' ', args)}` did not finish within {timeout}; stderr: {await stderr}");
        }
        return new KubectlResult(process.ExitCode, await stdout, await stderr, "helm " + string.Join(' ', args));
    }

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { }
    }
}
