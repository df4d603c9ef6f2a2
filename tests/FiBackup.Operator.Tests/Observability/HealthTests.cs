using System.Net;
using FiBackup.Operator.Observability;

namespace FiBackup.Operator.Tests.Observability;

public sealed class HealthTests
{
    [Fact]
    public async Task Readyz_answers_503_with_the_reason_until_the_operator_is_ready_then_200()
    {
        await using var op = await ObservedOperator.StartAsync();
        var synced = false;
        op.Readiness = () => synced ? ProbeResult.Pass : ProbeResult.Fail("informers not synced: vmbackups");

        using var before = await op.Http.GetAsync("/readyz");
        synced = true;
        using var after = await op.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal("informers not synced: vmbackups", (await before.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Healthz_answers_200_while_the_loops_are_alive()
    {
        await using var op = await ObservedOperator.StartAsync();
        op.Readiness = () => ProbeResult.Fail("starting");

        using var response = await op.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_answers_503_once_a_loop_has_stopped()
    {
        await using var op = await ObservedOperator.StartAsync();
        op.Liveness = () => ProbeResult.Fail("work queue workers stopped");

        using var response = await op.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("work queue workers stopped", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task A_probe_that_throws_answers_503_with_its_message()
    {
        await using var op = await ObservedOperator.StartAsync();
        op.Readiness = () => throw new InvalidOperationException("informer cache disposed");

        using var response = await op.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("informer cache disposed", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Port_0_binds_a_free_port_that_the_server_reports()
    {
        await using var op = await ObservedOperator.StartAsync();

        Assert.InRange(op.Port, 1, 65535);
    }
}
