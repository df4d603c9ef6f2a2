using System.Runtime.InteropServices;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>
/// A connection to one libvirt daemon (<c>qemu:///system</c>, <c>qemu+ssh://host/system</c>,
/// <c>test:///default</c>, ...). Thread-safe as libvirt connections are. Disposing it closes the
/// connection once every <see cref="Domain"/>, volume and pool obtained from it is disposed too.
/// </summary>
public sealed class LibvirtConnection : IDisposable
{
    private readonly ConnectHandle handle;
    private readonly List<int> eventCallbackIds = [];
    private int disposed;

    private LibvirtConnection(ConnectHandle handle)
    {
        this.handle = handle;
        BlockJobEvents = new BlockJobEventStore();
    }

    /// <summary>
    /// Opens a connection with libvirt's default authentication callbacks (so URIs that need them,
    /// like <c>qemu+ssh://</c>, work as with virsh), after starting the process-wide event loop,
    /// and subscribes to block-job events.
    /// </summary>
    public static LibvirtConnection Open(string uri, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        EventLoop.EnsureStarted();
        var handle = LibvirtException.Check(
            NativeMethods.virConnectOpenAuth(uri, NativeMethods.DefaultAuth, readOnly ? NativeMethods.VIR_CONNECT_RO : 0),
            "virConnectOpenAuth");
        var connection = new LibvirtConnection(handle);
        try
        {
            connection.SubscribeToBlockJobEvents();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    internal ConnectHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            return handle;
        }
    }

    internal BlockJobEventStore BlockJobEvents { get; }

    /// <summary>The canonical URI libvirt resolved, e.g. <c>qemu:///system</c>.</summary>
    public string Uri => LibvirtException.CheckOwnedString(NativeMethods.virConnectGetURI(Handle), "virConnectGetURI");

    /// <summary>The hostname of the machine running the hypervisor.</summary>
    public string Hostname => LibvirtException.CheckOwnedString(NativeMethods.virConnectGetHostname(Handle), "virConnectGetHostname");

    /// <summary>
    /// The host's capabilities XML (virConnectGetCapabilities); <c>&lt;host&gt;&lt;uuid&gt;</c> in it
    /// identifies the machine whatever URI reached it.
    /// </summary>
    public string Capabilities => LibvirtException.CheckOwnedString(NativeMethods.virConnectGetCapabilities(Handle), "virConnectGetCapabilities");

    /// <summary>False once the connection to the daemon is lost (daemon restarted, keepalive timeout).</summary>
    public bool IsAlive => NativeMethods.virConnectIsAlive(Handle) == 1;

    public Version HypervisorVersion
    {
        get
        {
            LibvirtException.Check(NativeMethods.virConnectGetVersion(Handle, out var version), "virConnectGetVersion");
            return LibvirtLibrary.DecodeVersion(version);
        }
    }

    /// <summary>
    /// Lets the client probe the daemon every <paramref name="intervalSeconds"/> and close the
    /// connection after <paramref name="count"/> unanswered probes; needs the event loop (always running).
    /// </summary>
    public void SetKeepAlive(int intervalSeconds, uint count) =>
        LibvirtException.Check(NativeMethods.virConnectSetKeepAlive(Handle, intervalSeconds, count), "virConnectSetKeepAlive");

    public Domain LookupDomain(string name) =>
        new(this, LibvirtException.Check(NativeMethods.virDomainLookupByName(Handle, name), "virDomainLookupByName"));

    public Domain LookupDomain(Guid uuid) =>
        new(this, LibvirtException.Check(NativeMethods.virDomainLookupByUUIDString(Handle, uuid.ToString("D")), "virDomainLookupByUUIDString"));

    /// <summary>The domain, or null when libvirt has no domain of that name (NO_DOMAIN).</summary>
    public Domain? TryLookupDomain(string name)
    {
        var domain = NativeMethods.virDomainLookupByName(Handle, name);
        if (!domain.IsInvalid) return new Domain(this, domain);
        domain.Dispose();
        var error = LibvirtException.FromLastError("virDomainLookupByName");
        return error.Code == LibvirtErrorCode.NoDomain ? null : throw error;
    }

    public unsafe IReadOnlyList<Domain> ListDomains(bool includeInactive = true)
    {
        var flags = NativeMethods.VIR_CONNECT_LIST_DOMAINS_ACTIVE
            | (includeInactive ? NativeMethods.VIR_CONNECT_LIST_DOMAINS_INACTIVE : 0);
        var count = LibvirtException.Check(NativeMethods.virConnectListAllDomains(Handle, out var array, flags), "virConnectListAllDomains");
        try
        {
            var domains = new List<Domain>(count);
            for (var i = 0; i < count; i++)
            {
                var domain = new DomainHandle();
                domain.Adopt(array[i]);
                domains.Add(new Domain(this, domain));
            }
            return domains;
        }
        finally
        {
            NativeMemory.Free(array);
        }
    }

    /// <summary>Defines (or redefines) a persistent domain from its XML.</summary>
    public Domain DefineDomain(string xml) =>
        new(this, LibvirtException.Check(NativeMethods.virDomainDefineXML(Handle, xml), "virDomainDefineXML"));

    /// <summary>The volume whose target is <paramref name="path"/>; the file must be in a storage pool libvirt knows.</summary>
    public StorageVolume LookupVolumeByPath(string path) =>
        new(this, LibvirtException.Check(NativeMethods.virStorageVolLookupByPath(Handle, path), "virStorageVolLookupByPath"));

    /// <summary>The storage pools libvirt knows (only the running ones with <paramref name="activeOnly"/>).</summary>
    public unsafe IReadOnlyList<StoragePool> ListStoragePools(bool activeOnly = true)
    {
        var flags = activeOnly ? NativeMethods.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE : 0;
        var count = LibvirtException.Check(NativeMethods.virConnectListAllStoragePools(Handle, out var array, flags), "virConnectListAllStoragePools");
        try
        {
            var pools = new List<StoragePool>(count);
            for (var i = 0; i < count; i++)
            {
                var pool = new StoragePoolHandle();
                pool.Adopt(array[i]);
                pools.Add(new StoragePool(this, pool));
            }
            return pools;
        }
        finally
        {
            NativeMemory.Free(array);
        }
    }

    /// <summary>The pool, or null when libvirt has no pool of that name (NO_STORAGE_POOL).</summary>
    public StoragePool? TryLookupStoragePool(string name)
    {
        var pool = NativeMethods.virStoragePoolLookupByName(Handle, name);
        if (!pool.IsInvalid) return new StoragePool(this, pool);
        pool.Dispose();
        var error = LibvirtException.FromLastError("virStoragePoolLookupByName");
        return error.Code == LibvirtErrorCode.NoStoragePool ? null : throw error;
    }

    /// <summary>Creates and starts a transient storage pool (e.g. a dir pool); it vanishes when destroyed.</summary>
    /// <remarks>With <paramref name="build"/> libvirt first builds the pool (for a dir pool: creates its directory).</remarks>
    public StoragePool CreateTransientPool(string xml, bool build = false) =>
        new(this, LibvirtException.Check(NativeMethods.virStoragePoolCreateXML(Handle, xml,
            build ? NativeMethods.VIR_STORAGE_POOL_CREATE_WITH_BUILD : 0), "virStoragePoolCreateXML"));

    private unsafe void SubscribeToBlockJobEvents()
    {
        // BLOCK_JOB_2 names the disk by target ("vda"), BLOCK_JOB by its source path: listening to
        // both lets a caller wait with either spelling. libvirt frees the GCHandle through the free
        // callback once a registration is dropped, so no callback can see a freed handle.
        foreach (var eventId in (ReadOnlySpan<int>)[NativeMethods.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, NativeMethods.VIR_DOMAIN_EVENT_ID_BLOCK_JOB])
        {
            var opaque = GCHandle.ToIntPtr(GCHandle.Alloc(BlockJobEvents));
            var id = NativeMethods.virConnectDomainEventRegisterAny(
                handle, nint.Zero, eventId, &BlockJobEventStore.OnBlockJobEvent, opaque, &BlockJobEventStore.FreeOpaque);
            if (id < 0)
            {
                var error = LibvirtException.FromLastError("virConnectDomainEventRegisterAny");
                GCHandle.FromIntPtr(opaque).Free();
                throw error;
            }
            lock (eventCallbackIds) eventCallbackIds.Add(id);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        lock (eventCallbackIds)
        {
            foreach (var id in eventCallbackIds)
            {
                // Fails on a dropped connection; closing releases the registration anyway.
                if (NativeMethods.virConnectDomainEventDeregisterAny(handle, id) < 0)
                    NativeMethods.virResetLastError();
            }
            eventCallbackIds.Clear();
        }
        handle.Dispose();
        BlockJobEvents.Close();
    }
}
