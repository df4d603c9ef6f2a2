using FiBackup.Operator.Observability;
using FiBackup.Operator.Runtime;

namespace FiBackup.Operator.Controllers;

/// <summary>Counts every reconcile of a controller by result (fibackup_reconciles_total, fibackup_reconcile_errors_total).</summary>
public sealed class MeteredReconciler(string controller, IReconciler inner, OperatorMetrics metrics) : IReconciler
{
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken ct)
    {
        try
        {
            var result = await inner.ReconcileAsync(key, ct);
            metrics.ReconcileFinished(controller, null);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.ReconcileFinished(controller, e);
            throw;
        }
    }
}
