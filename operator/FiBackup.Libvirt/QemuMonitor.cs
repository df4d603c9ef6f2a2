using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

public sealed partial class Domain
{
    /// <summary>
    /// Sends a command straight to the domain's QEMU monitor (libvirt-qemu.so.0) and returns the
    /// reply: JSON for QMP, text for HMP. libvirt marks the domain "tainted: custom-monitor"; meant
    /// for tests and diagnostics, never for the backup path. A QMP command QEMU rejects does not
    /// throw: libvirt hands back QEMU's <c>{"error": ...}</c> reply as it came.
    /// </summary>
    public string QemuMonitorCommand(string command, QemuMonitorMode mode)
    {
        var flags = mode == QemuMonitorMode.Hmp ? QemuNativeMethods.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP : 0;
        LibvirtException.Check(QemuNativeMethods.virDomainQemuMonitorCommand(Handle, command, out var result, flags),
            "virDomainQemuMonitorCommand");
        return NativeString.TakeOwned(result) ?? "";
    }
}

public enum QemuMonitorMode
{
    /// <summary>QEMU Machine Protocol: a JSON command such as <c>{"execute":"query-status"}</c>.</summary>
    Qmp,

    /// <summary>Human monitor: a text command such as <c>info block</c>, sent through QMP's human-monitor-command.</summary>
    Hmp,
}
