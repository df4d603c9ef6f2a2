using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>
/// A libvirt object reference. libvirt reference-counts its objects and every domain, pool,
/// volume, stream and snapshot object holds a reference to its connection, so freeing handles in
/// any order is safe.
/// </summary>
internal abstract class LibvirtHandle : SafeHandle
{
    protected LibvirtHandle() : base(nint.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == nint.Zero;

    internal nint Raw => handle;

    internal void Adopt(nint raw) => SetHandle(raw);
}

internal sealed class ConnectHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virConnectClose(handle) >= 0;
}

internal sealed class DomainHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virDomainFree(handle) == 0;
}

internal sealed class SnapshotHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virDomainSnapshotFree(handle) == 0;
}

internal sealed class StoragePoolHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virStoragePoolFree(handle) == 0;
}

internal sealed class StorageVolumeHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virStorageVolFree(handle) == 0;
}

internal sealed class StreamHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virStreamFree(handle) == 0;
}

internal sealed class CheckpointHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virDomainCheckpointFree(handle) == 0;
}
