using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>LibraryImport declarations of libvirt-qemu.so.0 (QEMU-specific calls).</summary>
internal static partial class QemuNativeMethods
{
    internal const string Library = "libvirt-qemu.so.0";

    // int virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result, unsigned int flags)
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainQemuMonitorCommand(DomainHandle dom, string cmd, out nint result, uint flags);

    internal const uint VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP = 1;
}
