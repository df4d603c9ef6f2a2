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

    /// <summary>The pool's definition (type, &lt;target&gt;&lt;path&gt;, capacity), as virsh pool-dumpxml shows it.</summary>
    public string GetXml() => LibvirtException.CheckOwnedString(NativeMethods.virStoragePoolGetXMLDesc(Handle, 0), "virStoragePoolGetXMLDesc");

    public bool IsActive => LibvirtException.Check(NativeMethods.virStoragePoolIsActive(Handle), "virStoragePoolIsActive") == 1;

    /// <summary>False for a transient pool, which vanishes when destroyed.</summary>
    public bool IsPersistent => LibvirtException.Check(NativeMethods.virStoragePoolIsPersistent(Handle), "virStoragePoolIsPersistent") == 1;

    public StorageVolume LookupVolume(string name) =>
        new(Connection, LibvirtException.Check(NativeMethods.virStorageVolLookupByName(Handle, name), "virStorageVolLookupByName"));

    /// <summary>The volume, or null when the pool has none of that name (NO_STORAGE_VOL; refresh first for files made since).</summary>
    public StorageVolume? TryLookupVolume(string name)
    {
        var volume = NativeMethods.virStorageVolLookupByName(Handle, name);
        if (!volume.IsInvalid) return new StorageVolume(Connection, volume);
        volume.Dispose();
        var error = LibvirtException.FromLastError("virStorageVolLookupByName");
        return error.Code == LibvirtErrorCode.NoStorageVol ? null : throw error;
    }

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

    /// <summary>The volume's description: &lt;target&gt;&lt;format&gt;, &lt;capacity&gt;, &lt;allocation&gt;, &lt;physical&gt; and &lt;backingStore&gt;.</summary>
    public string GetXml() => LibvirtException.CheckOwnedString(NativeMethods.virStorageVolGetXMLDesc(Handle, 0), "virStorageVolGetXMLDesc");

    /// <summary>Deletes the volume's file.</summary>
    public void Delete() => LibvirtException.Check(NativeMethods.virStorageVolDelete(Handle, 0), "virStorageVolDelete");

    private VirStorageVolInfo GetInfo()
    {
        LibvirtException.Check(NativeMethods.virStorageVolGetInfo(Handle, out var info), "virStorageVolGetInfo");
        return info;
    }

    public void Dispose() => handle.Dispose();
}
