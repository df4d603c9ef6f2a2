using System.Net;
using FiBackup.Operator.Observability;

namespace FiBackup.Operator.Tests.Observability;

/// <summary>An <see cref="OperatorMetrics"/> served on a free loopback port, with probe answers
/// the test flips, and an HttpClient pointed at it.</summary>
public sealed class ObservedOperator : IAsyncDisposable
{
    private readonly OperatorHttpServer _server;

    private ObservedOperator()
    {
        _server = new OperatorHttpServer(Metrics, () => Liveness(), () => Readiness(),
            new IPEndPoint(IPAddress.Loopback, 0));
    }

    public OperatorMetrics Metrics { get; } = new();

    public Func<ProbeResult> Liveness { get; set; } = () => ProbeResult.Pass;

    public Func<ProbeResult> Readiness { get; set; } = () => ProbeResult.Pass;

    public HttpClient Http { get; private set; } = null!;

    public int Port => _server.Port;

    public static async Task<ObservedOperator> StartAsync()
    {
        var observed = new ObservedOperator();
        await observed._server.StartAsync(CancellationToken.None);
        observed.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{observed.Port}") };
        return observed;
    }

    public Task<Exposition> ScrapeAsync() => Exposition.ScrapeAsync(Http);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await _server.DisposeAsync();
    }
}
