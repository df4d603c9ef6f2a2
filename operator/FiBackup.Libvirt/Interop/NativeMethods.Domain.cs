using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>LibraryImport declarations of libvirt.so.0: domains, snapshots and block jobs.</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByName(ConnectHandle conn, string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByUUIDString(ConnectHandle conn, string uuid);

    // int virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags)
    [LibraryImport(Library)]
    internal static partial int virConnectListAllDomains(ConnectHandle conn, out nint* domains, uint flags);

    internal const uint VIR_CONNECT_LIST_DOMAINS_ACTIVE = 1;
    internal const uint VIR_CONNECT_LIST_DOMAINS_INACTIVE = 2;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainDefineXML(ConnectHandle conn, string xml);

    [LibraryImport(Library)]
    internal static partial int virDomainFree(nint dom);

    // const char *virDomainGetName(virDomainPtr domain): owned by the domain object, not freed.
    [LibraryImport(Library)]
    internal static partial nint virDomainGetName(DomainHandle dom);

    // int virDomainGetUUIDString(virDomainPtr domain, char *buf): buf is VIR_UUID_STRING_BUFLEN (37).
    [LibraryImport(Library)]
    internal static partial int virDomainGetUUIDString(DomainHandle dom, byte* buf);

    [LibraryImport(Library)]
    internal static partial int virDomainGetUUIDString(nint dom, byte* buf);

    [LibraryImport(Library)]
    internal static partial nint virDomainGetXMLDesc(DomainHandle dom, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainGetState(DomainHandle dom, out int state, out int reason, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainIsActive(DomainHandle dom);

    [LibraryImport(Library)]
    internal static partial int virDomainIsPersistent(DomainHandle dom);

    [LibraryImport(Library)]
    internal static partial int virDomainCreateWithFlags(DomainHandle dom, uint flags);

    internal const uint VIR_DOMAIN_START_PAUSED = 1;

    [LibraryImport(Library)]
    internal static partial int virDomainDestroy(DomainHandle dom);

    [LibraryImport(Library)]
    internal static partial int virDomainUndefineFlags(DomainHandle dom, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainSuspend(DomainHandle dom);

    [LibraryImport(Library)]
    internal static partial int virDomainResume(DomainHandle dom);

    [LibraryImport(Library)]
    internal static partial int virDomainShutdown(DomainHandle dom);

    // int virDomainFSFreeze(virDomainPtr dom, const char **mountpoints, unsigned int nmountpoints, unsigned int flags)
    [LibraryImport(Library)]
    internal static partial int virDomainFSFreeze(DomainHandle dom, nint mountpoints, uint count, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainFSThaw(DomainHandle dom, nint mountpoints, uint count, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SnapshotHandle virDomainSnapshotCreateXML(DomainHandle dom, string xml, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainSnapshotFree(nint snapshot);

    // int virDomainBlockCommit(dom, const char *disk, const char *base, const char *top, unsigned long bandwidth, unsigned int flags)
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockCommit(DomainHandle dom, string disk, string? @base, string? top, nuint bandwidth, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockPull(DomainHandle dom, string disk, nuint bandwidth, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockRebase(DomainHandle dom, string disk, string? @base, nuint bandwidth, uint flags);

    // Returns 1 and fills info when a job runs, 0 when none does, -1 on error.
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainGetBlockJobInfo(DomainHandle dom, string disk, out VirDomainBlockJobInfo info, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockJobAbort(DomainHandle dom, string disk, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBlockJobSetSpeed(DomainHandle dom, string disk, nuint bandwidth, uint flags);

    internal const uint VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES = 1 << 4;
    internal const uint VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES = 1 << 6;
    internal const uint VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES = 1 << 6;
    internal const uint VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES = 1 << 0;
    internal const uint VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES = 1 << 0;
}
