using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>
/// LibraryImport declarations of libvirt.so.0: library set-up, errors, events and connections.
/// Nothing here is public API. Every <c>char*</c> that libvirt hands over is returned as
/// <see cref="nint"/> so the caller can copy it and free it (see <see cref="NativeString"/>).
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "libvirt.so.0";

    // int virGetVersion(unsigned long *libVer, const char *type, unsigned long *typeVer)
    [LibraryImport(Library, EntryPoint = "virGetVersion", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virGetVersion(out nuint libVer, string? type, out nuint typeVer);

    [LibraryImport(Library)]
    internal static partial int virInitialize();

    // void virSetErrorFunc(void *userData, virErrorFunc handler)
    [LibraryImport(Library)]
    internal static partial void virSetErrorFunc(nint userData, delegate* unmanaged<nint, nint, void> handler);

    // virErrorPtr virGetLastError(void): thread-local, owned by libvirt.
    [LibraryImport(Library)]
    internal static partial VirError* virGetLastError();

    [LibraryImport(Library)]
    internal static partial void virResetLastError();

    [LibraryImport(Library)]
    internal static partial int virEventRegisterDefaultImpl();

    [LibraryImport(Library)]
    internal static partial int virEventRunDefaultImpl();

    // virConnectPtr virConnectOpenAuth(const char *name, virConnectAuthPtr auth, unsigned int flags)
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConnectHandle virConnectOpenAuth(string name, nint auth, uint flags);

    [LibraryImport(Library)]
    internal static partial int virConnectClose(nint conn);

    [LibraryImport(Library)]
    internal static partial nint virConnectGetURI(ConnectHandle conn);

    [LibraryImport(Library)]
    internal static partial nint virConnectGetHostname(ConnectHandle conn);

    [LibraryImport(Library)]
    internal static partial nint virConnectGetCapabilities(ConnectHandle conn);

    [LibraryImport(Library)]
    internal static partial int virConnectIsAlive(ConnectHandle conn);

    [LibraryImport(Library)]
    internal static partial int virConnectGetVersion(ConnectHandle conn, out nuint hvVer);

    [LibraryImport(Library)]
    internal static partial int virConnectSetKeepAlive(ConnectHandle conn, int interval, uint count);

    // int virConnectDomainEventRegisterAny(conn, dom, eventID, cb, opaque, freecb)
    [LibraryImport(Library)]
    internal static partial int virConnectDomainEventRegisterAny(
        ConnectHandle conn, nint dom, int eventId,
        delegate* unmanaged<nint, nint, byte*, int, int, nint, void> callback,
        nint opaque, delegate* unmanaged<nint, void> freeCallback);

    [LibraryImport(Library)]
    internal static partial int virConnectDomainEventDeregisterAny(ConnectHandle conn, int callbackId);

    internal const uint VIR_CONNECT_RO = 1;
    internal const int VIR_DOMAIN_EVENT_ID_BLOCK_JOB = 8;
    internal const int VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16;

    /// <summary>
    /// <c>virConnectAuthPtrDefault</c> is an exported variable, not a function: LibraryImport cannot
    /// bind it, so read the pointer it holds from the symbol's address.
    /// </summary>
    internal static nint DefaultAuth => defaultAuth.Value;

    private static readonly Lazy<nint> defaultAuth = new(() =>
    {
        var library = NativeLibrary.Load(Library);
        return Marshal.ReadIntPtr(NativeLibrary.GetExport(library, "virConnectAuthPtrDefault"));
    });
}
