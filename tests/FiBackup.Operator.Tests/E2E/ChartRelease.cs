using System.Text.Json.Nodes;
using FiBackup.Testing;
using FiBackup.Testing.KubeApi;
using FiBackup.Testing.Operator;
using Xunit.Sdk;

namespace FiBackup.Operator.Tests.E2E;

/// <summary>
/// The chart installed into the test cluster by the real Helm (`helm install` with the admin
/// kubeconfig, as a cluster admin installs it), and `fibackup operator` started as the chart's
/// Deployment starts it: the Deployment's own arguments, authenticated with a token of the chart's
/// operator ServiceAccount on the HTTPS port, where the server enforces RBAC. Every request the
/// operator makes is then allowed or refused by the chart's roles, not by a list in a test.
/// </summary>
public sealed class ChartRelease
{
    public const string Name = "fibackup";

    private readonly OperatorCluster cluster;
    private readonly IReadOnlyList<string> deploymentArgs;

    private ChartRelease(OperatorCluster cluster, string operatorServiceAccount, IReadOnlyList<string> deploymentArgs)
    {
        this.cluster = cluster;
        OperatorServiceAccount = operatorServiceAccount;
        this.deploymentArgs = deploymentArgs;
    }

    /// <summary>The chart's base name of its objects (`RELEASE-fi-backup-operator`).</summary>
    public static string FullName => $"{Name}-fi-backup-operator";

    public string OperatorServiceAccount { get; }

    public static string MoverServiceAccount => $"{FullName}-mover";

    /// <summary>`helm install` into the cluster's namespace with <paramref name="values"/> (`--set` pairs); fails the test on a Helm error.</summary>
    public static async Task<ChartRelease> InstallAsync(OperatorCluster cluster, params string[] values)
    {
        using var helm = new Helm(cluster.Api);
        var args = new List<string> { "install", Name, SourceCheckout.PathOf("charts/fi-backup-operator"), "--namespace", OperatorCluster.Namespace };
        foreach (var value in values) args.AddRange(["--set", value]);
        var result = await helm.RunAsync(args, TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0) throw new XunitException($"`{result.CommandLine}` failed ({result.ExitCode}): {result.StdErr}");

        var deployment = await cluster.GetRequiredAsync("deployment", FullName);
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "operator")!;
        var containerArgs = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        return new ChartRelease(cluster, pod["serviceAccountName"]!.GetValue<string>(), containerArgs);
    }

    /// <summary>
    /// The Deployment's `fibackup operator ...` as a local process with the operator ServiceAccount's
    /// kubeconfig. Only what points into the pod changes: $(POD_NAME) becomes <paramref name="identity"/>,
    /// --claims-dir the cluster's claims directory, --metrics-port any free port, on 127.0.0.1.
    /// </summary>
    public OperatorProcess StartOperator(string identity = "fibt-chart-operator")
    {
        if (deploymentArgs is not ["operator", ..]) throw new XunitException($"the chart's Deployment does not run `fibackup operator`: {string.Join(' ', deploymentArgs)}");
        var args = new List<string> { "--kubeconfig", cluster.Api.WriteKubeconfigFor(OperatorCluster.Namespace, OperatorServiceAccount) };
        // A local process, not a pod: the metrics server listens on loopback only.
        args.Add("--metrics-bind-address=127.0.0.1");
        foreach (var arg in deploymentArgs.Skip(1))
        {
            args.Add(arg switch
            {
                _ when arg.StartsWith("--claims-dir=", StringComparison.Ordinal) => "--claims-dir=" + cluster.ClaimsDirectory,
                _ when arg.StartsWith("--metrics-port=", StringComparison.Ordinal) => "--metrics-port=0",
                _ => arg.Replace("$(POD_NAME)", identity, StringComparison.Ordinal),
            });
        }
        return cluster.StartOperatorWith(identity, args);
    }

    /// <summary>
    /// Removes from (Cluster)Role <paramref name="role"/> the rule for <paramref name="resource"/>, as if
    /// the chart lacked it; returns the rule removed.
    /// </summary>
    public async Task<string> RemoveRuleAsync(string roleKind, string role, string resource)
    {
        var current = await cluster.GetRequiredAsync(roleKind, role);
        var rules = current["rules"]!.AsArray();
        var index = rules.ToList().FindIndex(r => r!["resources"]!.AsArray().Any(x => x!.GetValue<string>() == resource));
        if (index < 0) throw new XunitException($"{roleKind} {role} has no rule for {resource}: {rules.ToJsonString()}");
        var removed = rules[index]!.ToJsonString();
        await cluster.KubectlOkAsync("patch", roleKind, role, "-n", OperatorCluster.Namespace, "--type=json",
            "-p", new JsonArray(new JsonObject { ["op"] = "remove", ["path"] = $"/rules/{index}" }).ToJsonString());
        return removed;
    }
}
