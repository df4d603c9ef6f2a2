using System.Security;
using System.Text;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

public sealed partial class Domain
{
    /// <summary>
    /// Starts a backup job (virDomainBackupBegin) described by <paramref name="backupXml"/> (see
    /// <see cref="PushBackup"/>). With <paramref name="checkpointXml"/> libvirt creates that checkpoint
    /// in the same instant the job freezes its view of the disks, so the checkpoint's bitmaps track
    /// exactly the writes after the backed-up state. The job runs in QEMU; this returns once it started.
    /// </summary>
    public void BeginBackup(string backupXml, string? checkpointXml) =>
        LibvirtException.Check(NativeMethods.virDomainBackupBegin(Handle, backupXml, checkpointXml, 0), "virDomainBackupBegin");

    /// <summary>The XML of the backup job running now, or null when the domain runs none (NO_DOMAIN_BACKUP).</summary>
    public string? GetBackupXml()
    {
        var xml = NativeMethods.virDomainBackupGetXMLDesc(Handle, 0);
        if (xml != nint.Zero) return NativeString.TakeOwned(xml);
        var error = LibvirtException.FromLastError("virDomainBackupGetXMLDesc");
        return error.Code is LibvirtErrorCode.NoDomainBackup ? null : throw error;
    }

    /// <summary>Aborts the domain's current job (virDomainAbortJob), e.g. a backup job.</summary>
    public void AbortJob() => LibvirtException.Check(NativeMethods.virDomainAbortJob(Handle), "virDomainAbortJob");

    /// <summary>
    /// The domain's job (virDomainGetJobStats): the running one, or with <paramref name="completed"/>
    /// the last one that ended (which libvirt keeps until the next job starts or the domain stops).
    /// </summary>
    public DomainJobStats GetJobStats(bool completed = false)
    {
        var flags = completed ? NativeMethods.VIR_DOMAIN_JOB_STATS_COMPLETED | NativeMethods.VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED : 0;
        LibvirtException.Check(NativeMethods.virDomainGetJobStats(Handle, out var type, out var parameters, out var count, flags),
            "virDomainGetJobStats");
        try
        {
            ulong? Number(string name) => NativeMethods.virTypedParamsGetULLong(parameters, count, name, out var v) == 1 ? v : null;
            int? operation = NativeMethods.virTypedParamsGetInt(parameters, count, "operation", out var op) == 1 ? op : null;
            var message = NativeMethods.virTypedParamsGetString(parameters, count, "errmsg", out var text) == 1 ? NativeString.Borrowed(text) : null;
            return new DomainJobStats((DomainJobType)type, (DomainJobOperation?)operation,
                Number("data_total"), Number("data_processed"), message);
        }
        finally
        {
            if (parameters != nint.Zero) NativeMethods.virTypedParamsFree(parameters, count);
        }
    }
}
