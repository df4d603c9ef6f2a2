using FiBackup.Testing.ArgoCd;
using FiBackup.Testing.KubeApi;

namespace FiBackup.Chart.Tests;

/// <summary>The chart and health-check tests need real tools; their absence is a failure, never a skip.</summary>
public sealed class ToolsTests
{
    [Fact]
    public async Task Helm_3_is_installed_by_scripts_setup_sh()
    {
        Assert.True(Helm.Executable.Length > 0, Helm.MissingMessage);
        using var helm = new Helm();
        var version = (await helm.RunAsync("version", "--short")).EnsureSuccess().StdOut;
        Assert.StartsWith("v3.", version.Trim());
    }

    [Fact]
    public void Lua_5_1_is_installed_by_scripts_setup_sh() =>
        Assert.True(LuaHealthCheck.Executable.Length > 0, LuaHealthCheck.MissingMessage);
}
