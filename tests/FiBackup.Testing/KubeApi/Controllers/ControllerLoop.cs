namespace FiBackup.Testing.KubeApi.Controllers;

/// <summary>
/// Runs the server's only controllers (garbage collection, namespace and CRD cleanup) in the background,
/// level-triggered: after any write it sweeps until a pass changes nothing.
/// </summary>
public sealed class ControllerLoop(ApiContext api, GarbageCollector gc, NamespaceCleanup namespaces, CrdCleanup crds)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await api.Controllers.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            for (var pass = 0; pass < 100; pass++)
            {
                bool changed;
                try
                {
                    lock (api.Store.Gate)
                    {
                        changed = gc.Sweep() | namespaces.Sweep() | crds.Sweep();
                    }
                }
                catch (Errors.ApiException e)
                {
                    // A controller write the object rules refuse; real controllers would log and retry later.
                    api.Options.RequestLog?.Invoke($"controller write refused: {e.Message}");
                    changed = false;
                }
                if (!changed) break;
                await Task.Yield();
            }
        }
    }
}
