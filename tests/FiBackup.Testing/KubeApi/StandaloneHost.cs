namespace FiBackup.Testing.KubeApi;

/// <summary>
/// Runs a server in the foreground for demos and trying kubectl by hand (scripts/kube-api.sh):
/// prints the kubeconfig path and URL, serves until Ctrl-C or SIGTERM.
/// </summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? kubeconfig = null;
        string? caFile = null;
        var port = 0;
        var verbose = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--kubeconfig" when i + 1 < args.Length: kubeconfig = args[++i]; break;
                case "--ca-file" when i + 1 < args.Length: caFile = args[++i]; break;
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p): port = p; i++; break;
                case "-v" or "--verbose": verbose = true; break;
                case "-h" or "--help":
                    Console.WriteLine("usage: kube-api.sh --kubeconfig FILE [--ca-file FILE] [--port N] [--verbose]");
                    Console.WriteLine("Serves a local Kubernetes API (CRDs, watch, tables) until Ctrl-C; use kubectl --kubeconfig FILE.");
                    Console.WriteLine("--ca-file writes the HTTPS port's certificate (PEM), the CA for service account kubeconfigs.");
                    return 0;
                default:
                    Console.Error.WriteLine($"kube-api: unknown argument {args[i]} (try --help)");
                    return 2;
            }
        }
        if (kubeconfig is null)
        {
            Console.Error.WriteLine("kube-api: --kubeconfig FILE is required (where to write the kubeconfig)");
            return 2;
        }

        var options = new KubeApiServerOptions
        {
            KubeconfigPath = Path.GetFullPath(kubeconfig),
            Port = port,
            BookmarkInterval = TimeSpan.FromMinutes(1),
            RequestLog = verbose ? line => Console.Error.WriteLine(line) : null,
        };
        await using var server = await KubeApiServer.StartAsync(options);
        if (caFile is not null) await File.WriteAllTextAsync(caFile, Auth.ServingCertificate.Instance.ExportCertificatePem() + "\n");
        Console.WriteLine($"kubeconfig: {server.KubeconfigPath}");
        Console.WriteLine($"url:        {server.Url}");
        Console.WriteLine($"https:      {server.SecureUrl} (service account kubeconfigs; RBAC applies to their tokens)");
        if (caFile is not null) Console.WriteLine($"ca:         {Path.GetFullPath(caFile)}");
        Console.WriteLine($"try:        kubectl --kubeconfig {server.KubeconfigPath} get namespaces");
        Console.WriteLine("Ctrl-C stops the server.");

        var stop = new TaskCompletionSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        await stop.Task;
        Console.WriteLine("kube-api: stopping");
        return 0;
    }
}
