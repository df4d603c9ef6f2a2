using k8s;

namespace FiBackup.Operator.Hosting;

/// <summary>The client configuration kubectl would use: --kubeconfig, else in-cluster, else $KUBECONFIG or ~/.kube/config.</summary>
public static class KubeConfig
{
    public static KubernetesClientConfiguration Load(string? kubeconfig)
    {
        if (!string.IsNullOrEmpty(kubeconfig)) return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        if (KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        return KubernetesClientConfiguration.BuildDefaultConfig();
    }
}
