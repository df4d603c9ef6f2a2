using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>
/// A libvirt checkpoint: a named point in time of a domain, kept as a dirty bitmap of that name in
/// each of its qcow2 disks. Deleting one merges its bitmap into its parent's, so the parent still
/// tracks every write since the parent was taken.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    private readonly CheckpointHandle handle;

    internal Checkpoint(CheckpointHandle handle)
    {
        this.handle = handle;
        Name = NativeString.Borrowed(NativeMethods.virDomainCheckpointGetName(handle))
            ?? throw LibvirtException.FromLastError("virDomainCheckpointGetName");
    }

    public string Name { get; }

    public string GetXml() =>
        LibvirtException.CheckOwnedString(NativeMethods.virDomainCheckpointGetXMLDesc(handle, 0), "virDomainCheckpointGetXMLDesc");

    /// <summary>
    /// Deletes the checkpoint. With <paramref name="metadataOnly"/> libvirt forgets it but leaves its
    /// bitmaps in the images (a lost checkpoint, as far as the next incremental is concerned).
    /// </summary>
    public void Delete(bool metadataOnly = false) =>
        LibvirtException.Check(NativeMethods.virDomainCheckpointDelete(handle, metadataOnly ? 2u : 0u), "virDomainCheckpointDelete");

    public void Dispose() => handle.Dispose();
}
