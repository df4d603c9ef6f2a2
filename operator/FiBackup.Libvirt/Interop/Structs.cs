using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Interop;

/// <summary>virError (virterror.h), x86-64 layout; only the fields the binding reads are named.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VirError
{
    internal int Code;
    internal int Domain;
    internal nint Message;
    internal int Level;
    internal nint Conn;
    internal nint Dom;
    internal nint Str1;
    internal nint Str2;
    internal nint Str3;
    internal int Int1;
    internal int Int2;
    internal nint Net;
}

/// <summary>virDomainBlockJobInfo (libvirt-domain.h): int type; unsigned long bandwidth; unsigned long long cur, end.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VirDomainBlockJobInfo
{
    internal int Type;
    internal nuint Bandwidth;
    internal ulong Cur;
    internal ulong End;
}

/// <summary>virStorageVolInfo (libvirt-storage.h): int type; unsigned long long capacity, allocation.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VirStorageVolInfo
{
    internal int Type;
    internal ulong Capacity;
    internal ulong Allocation;
}
