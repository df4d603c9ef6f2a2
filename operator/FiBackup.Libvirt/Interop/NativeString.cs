using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>Copies strings libvirt returns, freeing the ones the caller owns.</summary>
internal static class NativeString
{
    /// <summary>Copies a <c>char*</c> the caller owns and releases it with libc <c>free()</c>.</summary>
    internal static unsafe string? TakeOwned(nint pointer)
    {
        if (pointer == nint.Zero) return null;
        try { return Marshal.PtrToStringUTF8(pointer); }
        finally { NativeMemory.Free((void*)pointer); }
    }

    /// <summary>Copies a <c>const char*</c> that libvirt keeps owning.</summary>
    internal static string? Borrowed(nint pointer) =>
        pointer == nint.Zero ? null : Marshal.PtrToStringUTF8(pointer);
}
