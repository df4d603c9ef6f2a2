using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

public sealed partial class Domain
{
    /// <summary>Creates a checkpoint outside a backup job (virDomainCheckpointCreateXML), see <see cref="CheckpointDefinition"/>.</summary>
    public Checkpoint CreateCheckpoint(string checkpointXml) =>
        new(LibvirtException.Check(NativeMethods.virDomainCheckpointCreateXML(Handle, checkpointXml, 0), "virDomainCheckpointCreateXML"));

    /// <summary>The checkpoint named <paramref name="name"/>, or null when the domain has none of that name.</summary>
    public Checkpoint? FindCheckpoint(string name)
    {
        var handle = NativeMethods.virDomainCheckpointLookupByName(Handle, name, 0);
        if (!handle.IsInvalid) return new Checkpoint(handle);
        handle.Dispose();
        var error = LibvirtException.FromLastError("virDomainCheckpointLookupByName");
        return error.Code is LibvirtErrorCode.NoDomainCheckpoint ? null : throw error;
    }

    /// <summary>Every checkpoint libvirt keeps for the domain.</summary>
    public unsafe IReadOnlyList<Checkpoint> ListCheckpoints()
    {
        var count = LibvirtException.Check(NativeMethods.virDomainListAllCheckpoints(Handle, out var array, 0), "virDomainListAllCheckpoints");
        try
        {
            var checkpoints = new List<Checkpoint>(count);
            for (var i = 0; i < count; i++)
            {
                var handle = new CheckpointHandle();
                handle.Adopt(array[i]);
                checkpoints.Add(new Checkpoint(handle));
            }
            return checkpoints;
        }
        finally
        {
            NativeMemory.Free(array);
        }
    }
}
