using System.Text;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>
/// A libvirt domain (virtual machine). The handle keeps its connection open until disposed.
/// Snapshots, block jobs and the QEMU monitor are in the other parts of this partial class.
/// </summary>
public sealed partial class Domain : IDisposable
{
    private readonly DomainHandle handle;

    internal Domain(LibvirtConnection connection, DomainHandle handle)
    {
        Connection = connection;
        this.handle = handle;
        // Both are read from the client-side object (no daemon round trip) and never change for a
        // handle, so they stay readable after the connection is gone.
        Name = NativeString.Borrowed(NativeMethods.virDomainGetName(handle))
            ?? throw LibvirtException.FromLastError("virDomainGetName");
        Uuid = ReadUuid(handle);
    }

    /// <summary>The connection the domain was obtained from (and whose events it receives).</summary>
    public LibvirtConnection Connection { get; }

    internal DomainHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    public string Name { get; }

    public Guid Uuid { get; }

    private static unsafe Guid ReadUuid(DomainHandle handle)
    {
        var buffer = stackalloc byte[37]; // VIR_UUID_STRING_BUFLEN
        LibvirtException.Check(NativeMethods.virDomainGetUUIDString(handle, buffer), "virDomainGetUUIDString");
        return Guid.Parse(Encoding.ASCII.GetString(buffer, 36));
    }

    public DomainState State
    {
        get
        {
            LibvirtException.Check(NativeMethods.virDomainGetState(Handle, out var state, out _, 0), "virDomainGetState");
            return (DomainState)state;
        }
    }

    public bool IsActive => LibvirtException.Check(NativeMethods.virDomainIsActive(Handle), "virDomainIsActive") == 1;

    public bool IsPersistent => LibvirtException.Check(NativeMethods.virDomainIsPersistent(Handle), "virDomainIsPersistent") == 1;

    /// <summary>The domain XML: the live definition of a running domain unless <see cref="DomainXmlFlags.Inactive"/>.</summary>
    public string GetXml(DomainXmlFlags flags = DomainXmlFlags.None) =>
        LibvirtException.CheckOwnedString(NativeMethods.virDomainGetXMLDesc(Handle, (uint)flags), "virDomainGetXMLDesc");

    public void Start(bool paused = false) =>
        LibvirtException.Check(NativeMethods.virDomainCreateWithFlags(Handle, paused ? NativeMethods.VIR_DOMAIN_START_PAUSED : 0), "virDomainCreateWithFlags");

    /// <summary>Stops the domain at once, like pulling the power cord.</summary>
    public void Destroy() => LibvirtException.Check(NativeMethods.virDomainDestroy(Handle), "virDomainDestroy");

    public void Undefine(DomainUndefineFlags flags = DomainUndefineFlags.None) =>
        LibvirtException.Check(NativeMethods.virDomainUndefineFlags(Handle, (uint)flags), "virDomainUndefineFlags");

    public void Suspend() => LibvirtException.Check(NativeMethods.virDomainSuspend(Handle), "virDomainSuspend");

    public void Resume() => LibvirtException.Check(NativeMethods.virDomainResume(Handle), "virDomainResume");

    /// <summary>Asks the guest to shut down (ACPI or agent); returns before it has.</summary>
    public void Shutdown() => LibvirtException.Check(NativeMethods.virDomainShutdown(Handle), "virDomainShutdown");

    /// <summary>
    /// Freezes every guest filesystem through the QEMU guest agent; returns how many were frozen.
    /// Fails with <see cref="LibvirtErrorCode.ArgumentUnsupported"/> when the domain has no agent
    /// channel and <see cref="LibvirtErrorCode.AgentUnresponsive"/> when no agent answers.
    /// </summary>
    public int FreezeFilesystems() =>
        LibvirtException.Check(NativeMethods.virDomainFSFreeze(Handle, nint.Zero, 0, 0), "virDomainFSFreeze");

    /// <summary>Thaws what <see cref="FreezeFilesystems"/> froze; returns how many were thawed.</summary>
    public int ThawFilesystems() =>
        LibvirtException.Check(NativeMethods.virDomainFSThaw(Handle, nint.Zero, 0, 0), "virDomainFSThaw");

    public override string ToString() => $"domain {Name}";

    public void Dispose() => handle.Dispose();
}

/// <summary>virDomainState.</summary>
public enum DomainState
{
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    Shutdown = 4,
    ShutOff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

/// <summary>virDomainXMLFlags.</summary>
[Flags]
public enum DomainXmlFlags : uint
{
    None = 0,
    Secure = 1 << 0,
    Inactive = 1 << 1,
    UpdateCpu = 1 << 2,
    Migratable = 1 << 3,
}

/// <summary>virDomainUndefineFlagsValues.</summary>
[Flags]
public enum DomainUndefineFlags : uint
{
    None = 0,
    ManagedSave = 1 << 0,
    SnapshotsMetadata = 1 << 1,
    Nvram = 1 << 2,
    KeepNvram = 1 << 3,
    CheckpointsMetadata = 1 << 4,
    Tpm = 1 << 5,
    KeepTpm = 1 << 6,
}
