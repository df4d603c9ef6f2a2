using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>LibraryImport declarations of libvirt.so.0: the backup API, checkpoints, domain jobs, typed parameters.</summary>
internal static unsafe partial class NativeMethods
{
    // int virDomainBackupBegin(virDomainPtr domain, const char *backupXML, const char *checkpointXML, unsigned int flags)
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainBackupBegin(DomainHandle dom, string backupXml, string? checkpointXml, uint flags);

    // char *virDomainBackupGetXMLDesc(virDomainPtr domain, unsigned int flags): owned by the caller.
    [LibraryImport(Library)]
    internal static partial nint virDomainBackupGetXMLDesc(DomainHandle dom, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainAbortJob(DomainHandle dom);

    // int virDomainGetJobStats(virDomainPtr domain, int *type, virTypedParameterPtr *params, int *nparams, unsigned int flags)
    [LibraryImport(Library)]
    internal static partial int virDomainGetJobStats(DomainHandle dom, out int type, out nint parameters, out int count, uint flags);

    // int virTypedParamsGetULLong(virTypedParameterPtr params, int nparams, const char *name, unsigned long long *value): 1 found, 0 absent.
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetULLong(nint parameters, int count, string name, out ulong value);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetInt(nint parameters, int count, string name, out int value);

    // const char ** value points into params: borrowed.
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virTypedParamsGetString(nint parameters, int count, string name, out nint value);

    [LibraryImport(Library)]
    internal static partial void virTypedParamsFree(nint parameters, int count);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial CheckpointHandle virDomainCheckpointCreateXML(DomainHandle dom, string xml, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial CheckpointHandle virDomainCheckpointLookupByName(DomainHandle dom, string name, uint flags);

    // int virDomainListAllCheckpoints(virDomainPtr domain, virDomainCheckpointPtr **checkpoints, unsigned int flags)
    [LibraryImport(Library)]
    internal static partial int virDomainListAllCheckpoints(DomainHandle dom, out nint* checkpoints, uint flags);

    // const char *virDomainCheckpointGetName(virDomainCheckpointPtr checkpoint): owned by the object.
    [LibraryImport(Library)]
    internal static partial nint virDomainCheckpointGetName(CheckpointHandle checkpoint);

    [LibraryImport(Library)]
    internal static partial nint virDomainCheckpointGetXMLDesc(CheckpointHandle checkpoint, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainCheckpointDelete(CheckpointHandle checkpoint, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainCheckpointFree(nint checkpoint);

    internal const uint VIR_DOMAIN_JOB_STATS_COMPLETED = 1 << 0;
    internal const uint VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED = 1 << 1;
}
