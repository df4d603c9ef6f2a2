using System.CommandLine;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Hosting;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Movers.Jobs;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Autorest;

namespace FiBackup.Operator.Cli;

/// <summary>
/// `fibackup mover backup|restore --namespace NS --name NAME`: what a mover Job's pod runs (the
/// operator makes those Jobs with --mover job). Exit 0 on success; on failure 1 (3: the domain is
/// busy) with "fibackup: error: REASON: message", the same reason and message in the object's status.
/// </summary>
public static class MoverCommand
{
    public static Command Create()
    {
        var command = new Command("mover", "Run one backup or restore of a VmBackup/VmRestore (the body of a mover Job's pod)");
        command.Subcommands.Add(Verb("backup", "Run the backup of VmBackup NAME and write its progress and result into its status",
            (client, context, ns, name, ct) => new BackupInPod(client, context).RunAsync(ns, name, ct)));
        command.Subcommands.Add(Verb("restore", "Run the restore of VmRestore NAME and write its result into its status",
            (client, context, ns, name, ct) => new RestoreInPod(client, context).RunAsync(ns, name, ct)));
        return command;
    }

    private static Command Verb(string verb, string description,
        Func<IKubernetes, MoverPodContext, string, string, CancellationToken, Task<MoverExit>> run)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the object", Required = true };
        var name = new Option<string>("--name") { Description = "Name of the object", Required = true };
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig file (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)" };
        var claimsDir = new Option<string>("--claims-dir")
        {
            Description = "Directory where the Job mounts PVC NS/CLAIM as DIR/NS/CLAIM",
            DefaultValueFactory = _ => MoverJobs.ClaimsMountPath,
        };
        var leaseNamespace = new Option<string>("--lease-namespace") { Description = "Namespace of the per-domain Leases (the operator's; default: the object's)" };
        var podName = new Option<string>("--pod-name")
        {
            Description = "This pod's name, the holder of the domain's Lease (default: $POD_NAME, else the host name)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName,
        };
        var command = new Command(verb, description) { ns, name, kubeconfig, claimsDir, leaseNamespace, podName };
        command.SetAsyncAction(async (parse, context) =>
        {
            var time = TimeProvider.System;
            using var client = new Kubernetes(KubeConfig.Load(parse.GetValue(kubeconfig)));
            var pod = parse.GetValue(podName)!;
            var locks = new LeaseDomainLocks(client, parse.GetValue(leaseNamespace) ?? parse.GetValue(ns)!, pod, time);
            var podContext = new MoverPodContext(new ClaimDirectories(parse.GetValue(claimsDir)!), new InProcessMover(locks, time, new SshSecrets(client)), pod, time);
            MoverExit exit;
            try
            {
                exit = await run(client, podContext, parse.GetValue(ns)!, parse.GetValue(name)!, context.CancellationToken);
            }
            catch (OperatorProblem problem)
            {
                exit = new MoverExit(CommandRunner.Failure, $"{problem.Reason}: {problem.Message}");
            }
            catch (HttpOperationException e)
            {
                // E.g. a 403 when the mover's Role lacks a rule: one line naming what was refused, which
                // the pod's termination message carries into the CR's condition, not a stack trace.
                exit = new MoverExit(CommandRunner.Failure, $"{verb} of {parse.GetValue(ns)}/{parse.GetValue(name)}: {ApiErrors.Message(e)}");
            }
            if (exit.Code == 0) context.Output.WriteLine($"fibackup mover {verb}: {exit.Message}");
            else context.Error.WriteLine($"fibackup: error: {exit.Message}");
            return exit.Code;
        });
        return command;
    }
}
