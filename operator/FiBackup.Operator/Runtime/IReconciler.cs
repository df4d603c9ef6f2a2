namespace FiBackup.Operator.Runtime;

/// <summary>
/// Converges one object toward its spec. Level-triggered: it is given only a key and re-reads the world.
/// Returning means success; throwing means "retry with backoff"; <see cref="TerminalException"/> means
/// "the failure is recorded, do not retry". The token is cancelled on shutdown and on lost leadership.
/// </summary>
public interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}
