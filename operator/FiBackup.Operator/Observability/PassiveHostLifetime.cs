using Microsoft.Extensions.Hosting;

namespace FiBackup.Operator.Observability;

/// <summary>
/// A host lifetime that ignores SIGTERM/SIGINT. The default ConsoleLifetime would claim those
/// signals for the HTTP server's own host; the operator's main loop owns shutdown and stops the
/// server (after its controllers) through <see cref="OperatorHttpServer.DisposeAsync"/>.
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
