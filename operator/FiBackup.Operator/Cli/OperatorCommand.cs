using System.CommandLine;
using FiBackup.Operator.Hosting;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup operator`: runs the controllers against a cluster until stopped.</summary>
public static class OperatorCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig file (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)" };
        var ns = new Option<string>("--namespace", "-n") { Description = "Watch only this namespace (default: all namespaces)" };
        var mover = CliOptions.Choice("--mover", "Where backups and restores run: in this process, or in a batch/v1 Job per attempt on the libvirt host's node", "in-process", "in-process", "job");
        var moverImage = new Option<string>("--mover-image") { Description = "Image of the mover Jobs' container, with the fibackup executable (--mover job)" };
        var moverServiceAccount = new Option<string>("--mover-service-account") { Description = "ServiceAccount of the mover Jobs' pods (--mover job; default: the namespace's default)" };
        var moverHostPaths = new Option<string[]>("--mover-host-path")
        {
            Description = "Host directory mounted at the same path into every mover pod; repeatable (default: /var/run/libvirt)",
            AllowMultipleArgumentsPerToken = false,
        };
        var moverStartTimeout = new Option<int>("--mover-start-timeout") { Description = "Seconds a mover Job may take to start before the attempt fails as MoverNotStarted", DefaultValueFactory = _ => 300 };
        var claimsDir = new Option<string>("--claims-dir")
        {
            Description = "Directory where PVC NS/CLAIM is mounted as DIR/NS/CLAIM (in-process mover)",
            DefaultValueFactory = _ => "/var/lib/fibackup/claims",
        };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Port of /metrics, /healthz and /readyz (0: any free port)", DefaultValueFactory = _ => 8080 };
        var metricsBindAddress = new Option<string>("--metrics-bind-address")
        {
            Description = "IP address /metrics, /healthz and /readyz listen on (default 0.0.0.0, every interface, as a pod needs; 127.0.0.1 for a local run)",
            DefaultValueFactory = _ => "0.0.0.0",
        };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Only the holder of the Lease reconciles (for more than one replica)" };
        var leaseNamespace = new Option<string>("--leader-election-namespace") { Description = "Namespace of the leader Lease and the per-domain Leases (default: the watched namespace, or default)" };
        var identity = new Option<string>("--identity") { Description = "This instance's name in Leases and Events (default: host name and process id)" };
        var workers = new Option<int>("--workers") { Description = "Reconciles that run at once per kind", DefaultValueFactory = _ => 8 };

        var command = new Command("operator", "Run the fi-backup operator: reconcile VmBackupPolicies, VmBackups and VmRestores")
        {
            kubeconfig, ns, mover, claimsDir, metricsPort, metricsBindAddress, leaderElect, leaseNamespace, identity, workers,
            moverImage, moverServiceAccount, moverHostPaths, moverStartTimeout,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(mover) == "job" && string.IsNullOrEmpty(result.GetValue(moverImage)))
                result.AddError("--mover-image: required with --mover job (the image whose fibackup runs in the Jobs)");
            if (!System.Net.IPAddress.TryParse(result.GetValue(metricsBindAddress), out _))
                result.AddError($"--metrics-bind-address: \"{result.GetValue(metricsBindAddress)}\" is not an IP address (e.g. 0.0.0.0, 127.0.0.1 or ::)");
        });
        command.SetAsyncAction(async (parse, context) =>
        {
            var options = new OperatorOptions
            {
                Kubeconfig = parse.GetValue(kubeconfig),
                Namespace = parse.GetValue(ns),
                ClaimsDirectory = parse.GetValue(claimsDir)!,
                MetricsPort = parse.GetValue(metricsPort),
                MetricsAddress = System.Net.IPAddress.Parse(parse.GetValue(metricsBindAddress)!),
                LeaderElect = parse.GetValue(leaderElect),
                LeaseNamespace = parse.GetValue(leaseNamespace),
                Identity = parse.GetValue(identity) ?? $"{Environment.MachineName}-{Environment.ProcessId}",
                Workers = Math.Max(1, parse.GetValue(workers)),
                Mover = parse.GetValue(mover)!,
                JobMover = parse.GetValue(mover) != "job" ? null : new Movers.Jobs.JobMoverOptions
                {
                    Image = parse.GetValue(moverImage)!,
                    ServiceAccount = parse.GetValue(moverServiceAccount),
                    HostPaths = parse.GetValue(moverHostPaths) is { Length: > 0 } paths ? paths : ["/var/run/libvirt"],
                    LeaseNamespace = "", // the operator's, filled in by OperatorHost
                    StartTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(moverStartTimeout))),
                },
            };
            await OperatorHost.RunAsync(options, context.Output, context.Error, context.CancellationToken);
            return CommandRunner.Success;
        });
        return command;
    }
}
