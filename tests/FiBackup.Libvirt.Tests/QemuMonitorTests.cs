using System.Text.Json;

namespace FiBackup.Libvirt.Tests;

public sealed class QemuMonitorTests(LibvirtFixture libvirt) : IClassFixture<LibvirtFixture>
{
    [Fact]
    public async Task Qmp_command_returns_qemus_json_reply()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        var reply = vm.Domain.QemuMonitorCommand("""{"execute":"query-status"}""", QemuMonitorMode.Qmp);

        var status = JsonDocument.Parse(reply).RootElement.GetProperty("return");
        Assert.True(status.GetProperty("running").GetBoolean());
        Assert.Equal("running", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hmp_command_returns_the_monitors_text()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 2);

        var reply = vm.Domain.QemuMonitorCommand("info block", QemuMonitorMode.Hmp);

        Assert.Contains(vm.Disk("vda").Path, reply);
        Assert.Contains(vm.Disk("vdb").Path, reply);
    }

    [Fact]
    public async Task A_qmp_command_qemu_rejects_comes_back_as_qemus_error_reply()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1);

        // libvirt passes QEMU's reply through unchanged, errors included; the call itself succeeds.
        var reply = vm.Domain.QemuMonitorCommand("""{"execute":"no-such-command"}""", QemuMonitorMode.Qmp);

        var error = JsonDocument.Parse(reply).RootElement.GetProperty("error");
        Assert.Equal("CommandNotFound", error.GetProperty("class").GetString());
    }

    [Fact]
    public async Task A_monitor_command_to_a_shut_off_domain_throws_operation_invalid()
    {
        await using var vm = await libvirt.CreateDomainAsync(disks: 1, start: false);

        var error = Assert.Throws<LibvirtException>(() => vm.Domain.QemuMonitorCommand("info status", QemuMonitorMode.Hmp));

        Assert.Equal(LibvirtErrorCode.OperationInvalid, error.Code);
    }
}
