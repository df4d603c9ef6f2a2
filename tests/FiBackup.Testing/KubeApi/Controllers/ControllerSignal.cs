namespace FiBackup.Testing.KubeApi.Controllers;

/// <summary>A level-triggered wake-up: any number of signals before the loop runs collapse into one pass.</summary>
public sealed class ControllerSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Raise()
    {
        try { _pending.Release(); } catch (SemaphoreFullException) { }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _pending.WaitAsync(cancellationToken);
}
