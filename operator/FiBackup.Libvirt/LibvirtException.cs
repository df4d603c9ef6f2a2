using System.Text;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>
/// A libvirt call failed. Carries libvirt's error code, the part of libvirt that raised it and its
/// message, read from libvirt's thread-local error right after the failing call.
/// </summary>
public sealed class LibvirtException : Exception
{
    public LibvirtException(int rawCode, int rawDomain, string libvirtMessage, string? function = null)
        : base(Describe(rawCode, libvirtMessage))
    {
        RawCode = rawCode;
        ErrorDomain = (LibvirtErrorDomain)rawDomain;
        LibvirtMessage = libvirtMessage;
        Function = function;
    }

    /// <summary>libvirt's error code; values not in the enum are still kept in <see cref="RawCode"/>.</summary>
    public LibvirtErrorCode Code => (LibvirtErrorCode)RawCode;

    public int RawCode { get; }

    public LibvirtErrorDomain ErrorDomain { get; }

    /// <summary>The message exactly as libvirt formatted it.</summary>
    public string LibvirtMessage { get; }

    /// <summary>The libvirt function that failed, e.g. <c>virDomainLookupByName</c>.</summary>
    public string? Function { get; }

    private static string Describe(int code, string message) =>
        $"libvirt: {message} (code {code} {CodeName(code)})";

    /// <summary>libvirt's C name of a code without the VIR_ERR_ prefix, e.g. NO_DOMAIN for 42.</summary>
    internal static string CodeName(int code)
    {
        var name = ((LibvirtErrorCode)code).ToString();
        if (name.Length == 0 || char.IsDigit(name[0]) || name[0] == '-') return "UNKNOWN";
        var snake = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && snake.Length > 0) snake.Append('_');
            snake.Append(char.ToUpperInvariant(c));
        }
        return snake.ToString();
    }

    /// <summary>
    /// Builds the exception from libvirt's thread-local last error. Must run on the thread that
    /// made the failing call, before any other libvirt call on it.
    /// </summary>
    internal static unsafe LibvirtException FromLastError(string function)
    {
        var error = NativeMethods.virGetLastError();
        if (error is null)
            return new LibvirtException((int)LibvirtErrorCode.InternalError, 0,
                $"{function} failed without reporting an error", function);
        var exception = new LibvirtException(error->Code, error->Domain,
            NativeString.Borrowed(error->Message) ?? $"{function} failed", function);
        NativeMethods.virResetLastError();
        return exception;
    }

    /// <summary>Throws the last error when a call returning an int status failed (-1).</summary>
    internal static int Check(int result, string function) =>
        result < 0 ? throw FromLastError(function) : result;

    /// <summary>Throws the last error when a call returning an object reference returned NULL.</summary>
    internal static T Check<T>(T handle, string function) where T : LibvirtHandle
    {
        if (!handle.IsInvalid) return handle;
        handle.Dispose();
        throw FromLastError(function);
    }

    /// <summary>Throws the last error when a call returning an owned <c>char*</c> returned NULL.</summary>
    internal static string CheckOwnedString(nint pointer, string function) =>
        NativeString.TakeOwned(pointer) ?? throw FromLastError(function);
}

/// <summary>libvirt's error codes (virErrorNumber, virterror.h); the ones this project meets.</summary>
public enum LibvirtErrorCode
{
    Ok = 0,
    InternalError = 1,
    NoMemory = 2,
    NoSupport = 3,
    UnknownHost = 4,
    NoConnect = 5,
    InvalidConn = 6,
    InvalidDomain = 7,
    InvalidArg = 8,
    OperationFailed = 9,
    NoSource = 19,
    NoTarget = 20,
    NoName = 21,
    NoDevice = 23,
    CallFailed = 26,
    XmlError = 27,
    DomExist = 28,
    OperationDenied = 29,
    OpenFailed = 30,
    ReadFailed = 31,
    ParseFailed = 32,
    WriteFailed = 34,
    XmlDetail = 35,
    SystemError = 38,
    Rpc = 39,
    NoDomain = 42,
    AuthFailed = 45,
    InvalidStoragePool = 46,
    InvalidStorageVol = 47,
    NoStoragePool = 49,
    NoStorageVol = 50,
    OperationInvalid = 55,
    ConfigUnsupported = 67,
    OperationTimeout = 68,
    InvalidDomainSnapshot = 71,
    NoDomainSnapshot = 72,
    InvalidStream = 73,
    ArgumentUnsupported = 74,
    StorageProbeFailed = 75,
    OperationAborted = 78,
    AuthCancelled = 79,
    Overflow = 82,
    BlockCopyActive = 83,
    OperationUnsupported = 84,
    Ssh = 85,
    AgentUnresponsive = 86,
    ResourceBusy = 87,
    AccessDenied = 88,
    StorageVolExist = 90,
    AuthUnavailable = 94,
    AgentUnsynced = 97,
    Libssh = 98,
    DeviceMissing = 99,
    NoDomainCheckpoint = 103,
    NoDomainBackup = 104,
    CheckpointInconsistent = 109,
}

/// <summary>The part of libvirt that raised an error (virErrorDomain, virterror.h).</summary>
public enum LibvirtErrorDomain
{
    None = 0,
    Xml = 5,
    Dom = 6,
    Rpc = 7,
    Conf = 9,
    Qemu = 10,
    Test = 12,
    Remote = 13,
    Storage = 18,
    Domain = 20,
    Security = 24,
    DomainSnapshot = 35,
    Streams = 38,
    Event = 40,
    Locking = 42,
    Uri = 45,
    Auth = 46,
    Ssh = 50,
    Cgroup = 54,
    Access = 55,
    Systemd = 56,
    Thread = 61,
    Admin = 62,
    Libssh = 66,
    DomainCheckpoint = 69,
}
