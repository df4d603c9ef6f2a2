using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>A libvirt storage pool; disposing frees the handle, <see cref="Destroy"/> stops the pool (and removes a transient one).</summary>
public sealed class StoragePool : IDisposable
{
    private readonly StoragePoolHandle handle;

    internal StoragePool(LibvirtConnection connection, StoragePoolHandle handle)
    {
        Connection = connection;
        this.handle = handle;
    }

    public LibvirtConnection Connection { get; }

    private StoragePoolHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    public string Name => NativeString.Borrowed(NativeMethods.virStoragePoolGetName(Handle))
        ?? throw LibvirtException.FromLastError("virStoragePoolGetName");

    /// <summary>Rescans the pool's target so files created outside libvirt become volumes.</summary>
    public void Refresh() => LibvirtException.Check(NativeMethods.virStoragePoolRefresh(Handle, 0), "virStoragePoolRefresh");

    public StorageVolume LookupVolume(string name) =>
        new(Connection, LibvirtException.Check(NativeMethods.virStorageVolLookupByName(Handle, name), "virStorageVolLookupByName"));

    /// <summary>Creates a volume from its XML (<c>&lt;volume&gt;&lt;name&gt;…&lt;capacity&gt;…</c>).</summary>
    public StorageVolume CreateVolume(string xml) =>
        new(Connection, LibvirtException.Check(NativeMethods.virStorageVolCreateXML(Handle, xml, 0), "virStorageVolCreateXML"));

    public void Destroy() => LibvirtException.Check(NativeMethods.virStoragePoolDestroy(Handle), "virStoragePoolDestroy");

    public void Dispose() => handle.Dispose();
}

/// <summary>A storage volume (a file in a pool). Its content moves through <see cref="DownloadAsync"/> and <see cref="UploadAsync"/>.</summary>
public sealed partial class StorageVolume : IDisposable
{
    private readonly StorageVolumeHandle handle;

    internal StorageVolume(LibvirtConnection connection, StorageVolumeHandle handle)
    {
        Connection = connection;
        this.handle = handle;
    }

    public LibvirtConnection Connection { get; }

    internal StorageVolumeHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    public string Name => NativeString.Borrowed(NativeMethods.virStorageVolGetName(Handle))
        ?? throw LibvirtException.FromLastError("virStorageVolGetName");

    public string Path => LibvirtException.CheckOwnedString(NativeMethods.virStorageVolGetPath(Handle), "virStorageVolGetPath");

    /// <summary>The size the volume presents, in bytes (for a qcow2 file: its virtual size).</summary>
    public ulong Capacity => GetInfo().Capacity;

    /// <summary>The bytes the volume occupies on the host.</summary>
    public ulong Allocation => GetInfo().Allocation;

    /// <summary>Deletes the volume's file.</summary>
    public void Delete() => LibvirtException.Check(NativeMethods.virStorageVolDelete(Handle, 0), "virStorageVolDelete");

    private VirStorageVolInfo GetInfo()
    {
        LibvirtException.Check(NativeMethods.virStorageVolGetInfo(Handle, out var info), "virStorageVolGetInfo");
        return info;
    }

    public void Dispose() => handle.Dispose();
}
