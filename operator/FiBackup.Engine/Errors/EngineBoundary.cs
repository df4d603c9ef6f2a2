using FiBackup.Engine.Copy;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Errors;

/// <summary>
/// Where the engine meets its callers: every public entry point runs its body through here, so
/// what comes out is a <see cref="FibackupException"/> with a reason (the original kept as
/// InnerException), never a raw libvirt, tool or I/O exception a user would see as a stack trace.
/// Cancellation by the caller's own token passes through untouched: the caller asked for it.
/// </summary>
public static class EngineBoundary
{
    public static async Task<T> RunAsync<T>(string doing, CancellationToken ct, Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (NeedsWrapping(e, ct))
        {
            throw Wrap(e, doing);
        }
    }

    public static T Run<T>(string doing, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (NeedsWrapping(e, CancellationToken.None))
        {
            throw Wrap(e, doing);
        }
    }

    public static void Run(string doing, Action body) => Run<object?>(doing, () => { body(); return null; });

    private static bool NeedsWrapping(Exception e, CancellationToken ct) =>
        e is not FibackupException && !(e is OperationCanceledException && ct.IsCancellationRequested);

    /// <summary>
    /// The <see cref="FibackupException"/> for a failure while <paramref name="doing"/> (e.g.
    /// "backup of web-1"): a FibackupException is returned as it is; anything else gets a reason.
    /// </summary>
    public static FibackupException Wrap(Exception e, string doing) => e switch
    {
        FibackupException fibackup => fibackup,
        LibvirtException libvirt => FromLibvirt(libvirt, doing),
        ExternalToolException tool when IsDiskFull(tool.StandardError) =>
            new FibackupException(ErrorReason.RepositoryFull, $"{doing} failed: no space left on device ({tool.Message}); free space in the repository or prune old restore points", inner: e),
        ExternalToolException tool => new FibackupException(ErrorReason.ToolFailed, $"{doing} failed: {tool.Message}", inner: e),
        IOException io when RepositoryFullException.IsDiskFull(io) =>
            new FibackupException(ErrorReason.RepositoryFull, $"{doing} failed: no space left on device ({io.Message}); free space in the repository or prune old restore points", inner: e),
        InvalidDataException data => new FibackupException(ErrorReason.RepositoryCorrupt, $"{doing} failed: {data.Message}", inner: e),
        IOException io => new FibackupException(ErrorReason.RepositoryUnavailable, $"{doing} failed: {io.Message}", inner: e),
        UnauthorizedAccessException denied => new FibackupException(ErrorReason.PermissionDenied, $"{doing} failed: {denied.Message}", inner: e),
        // Not the caller's cancellation (that passes through): an internal timeout cut the work short.
        OperationCanceledException => new FibackupException(ErrorReason.Interrupted, $"{doing} was interrupted before it finished; the next run recovers", inner: e),
        _ => new FibackupException(ErrorReason.InternalError, $"{doing} failed unexpectedly: {e.Message}", inner: e),
    };

    /// <summary>The reason a libvirt error code stands for.</summary>
    public static FibackupException FromLibvirt(LibvirtException e, string doing)
    {
        var message = $"{doing} failed: libvirt: {e.LibvirtMessage}";
        return e.Code switch
        {
            LibvirtErrorCode.AuthFailed or LibvirtErrorCode.AuthCancelled or LibvirtErrorCode.AuthUnavailable =>
                new FibackupException(ErrorReason.LibvirtUnreachable, message + " (check the credentials)", EngineField.Source, e, retryable: false),
            _ when IsConnectionLost(e) => new FibackupException(ErrorReason.LibvirtUnreachable, message, EngineField.Source, e),
            LibvirtErrorCode.NoDomain => new FibackupException(ErrorReason.DomainNotFound, message, EngineField.Domain, e),
            // The domain's state-change lock is held (another job runs on it): wait and retry.
            LibvirtErrorCode.OperationTimeout or LibvirtErrorCode.ResourceBusy or LibvirtErrorCode.BlockCopyActive =>
                new FibackupException(ErrorReason.DomainBusy, message, EngineField.Domain, e),
            _ => new FibackupException(ErrorReason.LibvirtError, message, inner: e),
        };
    }

    /// <summary>
    /// The daemon cannot be reached or the connection broke (refused, closed, keepalive timeout).
    /// An ssh tunnel whose far end died reports INTERNAL_ERROR "client socket is closed" from the
    /// RPC layer, which has no other internal errors a retry would not cure.
    /// </summary>
    public static bool IsConnectionLost(LibvirtException e) =>
        e.Code is LibvirtErrorCode.NoConnect or LibvirtErrorCode.InvalidConn or LibvirtErrorCode.Rpc
        || (e.Code == LibvirtErrorCode.SystemError && e.ErrorDomain is LibvirtErrorDomain.Rpc or LibvirtErrorDomain.Remote)
        || (e.Code == LibvirtErrorCode.InternalError && e.ErrorDomain == LibvirtErrorDomain.Rpc);

    /// <summary>An external tool's stderr says the disk it wrote to is full (or over quota).</summary>
    public static bool IsDiskFull(string standardError) =>
        standardError.Contains("No space left on device", StringComparison.Ordinal)
        || standardError.Contains("Disk quota exceeded", StringComparison.Ordinal);
}
