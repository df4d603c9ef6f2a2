using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>LibraryImport declarations of libvirt.so.0. Nothing here is public API.</summary>
internal static partial class NativeMethods
{
    internal const string Library = "libvirt.so.0";

    // int virGetVersion(unsigned long *libVer, const char *type, unsigned long *typeVer)
    [LibraryImport(Library, EntryPoint = "virGetVersion", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virGetVersion(out nuint libVer, string? type, out nuint typeVer);
}
