using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>LibraryImport declarations of libvirt.so.0: storage pools, volumes and streams.</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StoragePoolHandle virStoragePoolCreateXML(ConnectHandle conn, string xml, uint flags);

    internal const uint VIR_STORAGE_POOL_CREATE_WITH_BUILD = 1;

    [LibraryImport(Library)]
    internal static partial int virStoragePoolDestroy(StoragePoolHandle pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolFree(nint pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolRefresh(StoragePoolHandle pool, uint flags);

    [LibraryImport(Library)]
    internal static partial nint virStoragePoolGetName(StoragePoolHandle pool);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StoragePoolHandle virStoragePoolLookupByName(ConnectHandle conn, string name);

    // int virConnectListAllStoragePools(virConnectPtr conn, virStoragePoolPtr **pools, unsigned int flags)
    [LibraryImport(Library)]
    internal static partial int virConnectListAllStoragePools(ConnectHandle conn, out nint* pools, uint flags);

    internal const uint VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE = 1 << 1;

    // Returns an XML string the caller frees.
    [LibraryImport(Library)]
    internal static partial nint virStoragePoolGetXMLDesc(StoragePoolHandle pool, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolIsActive(StoragePoolHandle pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolIsPersistent(StoragePoolHandle pool);

    // Returns an XML string the caller frees.
    [LibraryImport(Library)]
    internal static partial nint virStorageVolGetXMLDesc(StorageVolumeHandle vol, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolumeHandle virStorageVolLookupByName(StoragePoolHandle pool, string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolumeHandle virStorageVolCreateXML(StoragePoolHandle pool, string xml, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolumeHandle virStorageVolLookupByPath(ConnectHandle conn, string path);

    [LibraryImport(Library)]
    internal static partial int virStorageVolFree(nint vol);

    [LibraryImport(Library)]
    internal static partial int virStorageVolDelete(StorageVolumeHandle vol, uint flags);

    [LibraryImport(Library)]
    internal static partial nint virStorageVolGetName(StorageVolumeHandle vol);

    [LibraryImport(Library)]
    internal static partial nint virStorageVolGetPath(StorageVolumeHandle vol);

    [LibraryImport(Library)]
    internal static partial int virStorageVolGetInfo(StorageVolumeHandle vol, out VirStorageVolInfo info);

    // int virStorageVolDownload(vol, stream, unsigned long long offset, unsigned long long length, unsigned int flags)
    [LibraryImport(Library)]
    internal static partial int virStorageVolDownload(StorageVolumeHandle vol, StreamHandle stream, ulong offset, ulong length, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStorageVolUpload(StorageVolumeHandle vol, StreamHandle stream, ulong offset, ulong length, uint flags);

    internal const uint VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM = 1;
    internal const uint VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = 1;

    [LibraryImport(Library)]
    internal static partial StreamHandle virStreamNew(ConnectHandle conn, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStreamFree(nint stream);

    // Returns bytes read, 0 at end of stream, -1 on error, -3 at a hole when STOP_AT_HOLE is given.
    [LibraryImport(Library)]
    internal static partial int virStreamRecvFlags(StreamHandle stream, byte* data, nuint nbytes, uint flags);

    internal const uint VIR_STREAM_RECV_STOP_AT_HOLE = 1;

    [LibraryImport(Library)]
    internal static partial int virStreamRecvHole(StreamHandle stream, out long length, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStreamSend(StreamHandle stream, byte* data, nuint nbytes);

    [LibraryImport(Library)]
    internal static partial int virStreamSendHole(StreamHandle stream, long length, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStreamFinish(StreamHandle stream);

    [LibraryImport(Library)]
    internal static partial int virStreamAbort(StreamHandle stream);
}
