namespace FiBackup.Operator.Tests.Cli;

public sealed class OperatorCommandTests
{
    [Fact]
    public async Task A_metrics_bind_address_that_is_not_an_IP_address_is_refused_naming_the_option()
    {
        var run = await Fibackup.RunAsync("operator", "--metrics-bind-address", "localhost:8080");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("fibackup: error: --metrics-bind-address: \"localhost:8080\" is not an IP address", run.Error);
    }
}
