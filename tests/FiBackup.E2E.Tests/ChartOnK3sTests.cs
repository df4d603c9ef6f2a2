using System.Text.Json.Nodes;
using FiBackup.Testing;
using FiBackup.Testing.KubeApi;

namespace FiBackup.E2E.Tests;

/// <summary>
/// `helm install` of charts/fi-backup-operator into k3s: every object the chart renders is accepted
/// by a real kube-apiserver, and k3s's own RBAC authorizer grants the chart's ServiceAccounts what
/// the operator and the movers call, and no more.
/// </summary>
[Collection(K3sCollection.Name)]
public sealed class ChartOnK3sTests(K3sCluster k3s)
{
    private const string Namespace = "fibt-chart";
    private const string Release = "fib";
    private const string Operator = "fib-fi-backup-operator";
    private const string Mover = "fib-fi-backup-operator-mover";

    [SkippableFact]
    public async Task The_chart_installs_into_k3s_and_its_roles_grant_what_operator_and_movers_call()
    {
        k3s.SkipUnlessRunning();
        Assert.True(Helm.Executable.Length > 0, Helm.MissingMessage);
        using var helm = new Helm(k3s.KubeconfigPath);
        // The image is not pulled by the test (no registry is assumed): the objects, not the pod, are checked.
        var install = await helm.RunAsync(["install", Release, SourceCheckout.PathOf("charts/fi-backup-operator"), "-n", Namespace,
            "--create-namespace", "--wait=false"], TimeSpan.FromMinutes(3));
        KubectlResult uninstall;
        try
        {
            Assert.True(install.ExitCode == 0 && install.StdOut.Contains("STATUS: deployed"), $"`{install.CommandLine}`: {install.StdOut}{install.StdErr}");

            var deployment = JsonNode.Parse((await k3s.KubectlOkAsync("get", "deployment", Operator, "-n", Namespace, "-o", "json")).StdOut)!;
            Assert.Equal(Operator, deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]?.GetValue<string>());
            await k3s.KubectlOkAsync("get", "serviceaccount", Operator, Mover, "-n", Namespace);
            await k3s.KubectlOkAsync("get", "service", Operator + "-metrics", "-n", Namespace);

            var asOperator = $"system:serviceaccount:{Namespace}:{Operator}";
            var asMover = $"system:serviceaccount:{Namespace}:{Mover}";
            await AssertCanAsync(asOperator, true, "watch", "vmbackuppolicies.fibackup.io");
            await AssertCanAsync(asOperator, true, "create", "vmbackups.fibackup.io");
            await AssertCanAsync(asOperator, true, "patch", "vmbackups.fibackup.io", "--subresource=status");
            await AssertCanAsync(asOperator, true, "list", "persistentvolumeclaims");
            await AssertCanAsync(asOperator, false, "delete", "vmbackuppolicies.fibackup.io");
            await AssertCanAsync(asOperator, false, "get", "secrets");
            await AssertCanAsync(asMover, true, "patch", "vmbackups.fibackup.io", "--subresource=status");
            await AssertCanAsync(asMover, true, "get", "vmrestores.fibackup.io");
            await AssertCanAsync(asMover, false, "patch", "vmbackups.fibackup.io");
            await AssertCanAsync(asMover, false, "list", "vmbackups.fibackup.io");
        }
        finally
        {
            // Also after a failure: the cluster is shared by the suite's other tests.
            uninstall = await helm.RunAsync(["uninstall", Release, "-n", Namespace, "--wait"], TimeSpan.FromMinutes(3));
        }
        Assert.True(uninstall.ExitCode == 0, $"`{uninstall.CommandLine}`: {uninstall.StdOut}{uninstall.StdErr}");
        Assert.Contains("NotFound", (await k3s.Kubectl.RunAsync("get", "clusterrole", Operator)).StdErr);
    }

    /// <summary>`kubectl auth can-i --as=...`: a SubjectAccessReview answered by k3s's RBAC authorizer.</summary>
    private async Task AssertCanAsync(string user, bool allowed, string verb, string resource, params string[] more)
    {
        var result = await k3s.Kubectl.RunAsync(["auth", "can-i", verb, resource, "-n", Namespace, $"--as={user}", .. more], null, TimeSpan.FromSeconds(60));
        // can-i exits 0 for yes and 1 for no; anything else is an error of the question itself.
        Assert.True(result.ExitCode is 0 or 1, $"`{result.CommandLine}`: {result.StdOut}{result.StdErr}");
        Assert.True((result.ExitCode == 0) == allowed,
            $"{user} {(allowed ? "may not" : "may")} {verb} {resource} {string.Join(' ', more)} in {Namespace} (`{result.CommandLine}` said {result.StdOut.Trim()})");
    }
}
