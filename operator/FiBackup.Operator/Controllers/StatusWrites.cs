using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Controllers;

public static class StatusWrites
{
    /// <summary>
    /// Runs <paramref name="converge"/>, which mutates the object's status freely, then writes one
    /// merge patch of what changed, on every path, errors included (cluster-api's patch helper).
    /// </summary>
    public static async Task<ReconcileResult> ConvergeWithOneStatusWriteAsync<T>(this ICluster cluster, T obj,
        Func<Task<ReconcileResult>> converge) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var before = cluster.SnapshotStatus(obj);
        try
        {
            return await converge();
        }
        finally
        {
            await cluster.PatchStatusAsync(obj, before, CancellationToken.None);
        }
    }
}
