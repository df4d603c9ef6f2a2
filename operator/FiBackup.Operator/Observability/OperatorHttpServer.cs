using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace FiBackup.Operator.Observability;

/// <summary>
/// Serves <c>/metrics</c> (the <see cref="OperatorMetrics"/> registry in Prometheus text format),
/// <c>/healthz</c> (liveness) and <c>/readyz</c> (readiness) over plain HTTP, as the kubelet's probes
/// and a Prometheus scrape expect.
/// </summary>
/// <remarks>
/// Readiness means "this instance can act once it holds the lease": informers synced, clients up.
/// It must not depend on leadership: as in controller-runtime, a standby instance is ready, or a
/// rolling update of a two-replica deployment would wait forever for a pod that can never lead.
/// A callback that throws counts as failing, with the exception's message as the reason.
/// </remarks>
public sealed class OperatorHttpServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly ILogger _logger;
    private bool _started;

    /// <param name="endpoint">Address and port to listen on; port 0 picks a free port (see <see cref="Port"/>).
    /// Null listens on 0.0.0.0:8080.</param>
    /// <param name="liveness">Whether the operator's loops are alive; failing makes the kubelet restart the pod.</param>
    /// <param name="readiness">Whether the operator is ready to act (informers synced).</param>
    public OperatorHttpServer(OperatorMetrics metrics, Func<ProbeResult> liveness, Func<ProbeResult> readiness,
        IPEndPoint? endpoint = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(liveness);
        ArgumentNullException.ThrowIfNull(readiness);
        endpoint ??= new IPEndPoint(IPAddress.Any, 8080);
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<OperatorHttpServer>();

        // The empty builder reads no appsettings.json or ASPNETCORE_* variables: the operator's
        // flags alone decide where this listens.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        _app = builder.Build();

        _app.UseRouting();
        _app.MapMetrics("/metrics", metrics.Registry);
        _app.MapGet("/healthz", (RequestDelegate)(context => Answer(context, liveness)));
        _app.MapGet("/readyz", (RequestDelegate)(context => Answer(context, readiness)));
    }

    /// <summary>The port actually bound, once <see cref="StartAsync"/> returned.</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken);
        _started = true;
        var address = _app.Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Port = new Uri(address).Port;
        _logger.LogInformation("Serving /metrics, /healthz and /readyz on {Address}", address);
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
    }

    private Task Answer(HttpContext context, Func<ProbeResult> probe)
    {
        ProbeResult result;
        try
        {
            result = probe();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Probe {Path} threw", context.Request.Path);
            result = ProbeResult.Fail(e.Message);
        }

        context.Response.StatusCode = result.Passing ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(result.Reason + "\n", context.RequestAborted);
    }
}
