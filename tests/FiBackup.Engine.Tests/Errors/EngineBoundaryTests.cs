using System.Text.RegularExpressions;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Tools;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Tests.Errors;

/// <summary>What a controller sees of each kind of failure: a reason it can put in a condition and whether to retry.</summary>
public sealed class EngineBoundaryTests
{
    private static LibvirtException Libvirt(LibvirtErrorCode code, LibvirtErrorDomain domain = LibvirtErrorDomain.Qemu) =>
        new((int)code, (int)domain, "something libvirt said", "virSomething");

    [Fact]
    public void Every_reason_is_a_valid_kubernetes_condition_reason()
    {
        var pattern = new Regex("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
        Assert.All(ErrorReason.All, reason => Assert.Matches(pattern, reason));
        Assert.Equal(ErrorReason.All.Count, ErrorReason.All.Distinct().Count());
    }

    [Theory]
    [InlineData(LibvirtErrorCode.NoConnect, LibvirtErrorDomain.Remote)]
    [InlineData(LibvirtErrorCode.InvalidConn, LibvirtErrorDomain.Rpc)]
    [InlineData(LibvirtErrorCode.Rpc, LibvirtErrorDomain.Rpc)]
    [InlineData(LibvirtErrorCode.SystemError, LibvirtErrorDomain.Rpc)]
    // "client socket is closed": an ssh tunnel that died (qemu+ssh, the sshd side killed).
    [InlineData(LibvirtErrorCode.InternalError, LibvirtErrorDomain.Rpc)]
    public void A_lost_libvirt_connection_is_unreachable_and_retryable(LibvirtErrorCode code, LibvirtErrorDomain domain)
    {
        var inner = Libvirt(code, domain);
        var error = EngineBoundary.Wrap(inner, "backup of web-1");
        Assert.Equal(ErrorReason.LibvirtUnreachable, error.Reason);
        Assert.True(error.Retryable);
        Assert.Equal(EngineField.Source, error.Field);
        Assert.Same(inner, error.InnerException);
        Assert.StartsWith("backup of web-1 failed: libvirt: something libvirt said", error.Message);
    }

    [Fact]
    public void A_refused_authentication_is_unreachable_but_not_retryable()
    {
        var error = EngineBoundary.Wrap(Libvirt(LibvirtErrorCode.AuthFailed, LibvirtErrorDomain.Auth), "connecting");
        Assert.Equal(ErrorReason.LibvirtUnreachable, error.Reason);
        Assert.False(error.Retryable);
    }

    [Fact]
    public void A_missing_domain_is_domain_not_found_and_terminal()
    {
        var error = EngineBoundary.Wrap(Libvirt(LibvirtErrorCode.NoDomain), "backup of web-1");
        Assert.Equal(ErrorReason.DomainNotFound, error.Reason);
        Assert.False(error.Retryable);
        Assert.Equal(EngineField.Domain, error.Field);
    }

    [Theory]
    [InlineData(LibvirtErrorCode.OperationTimeout)]
    [InlineData(LibvirtErrorCode.ResourceBusy)]
    public void A_domain_held_by_another_libvirt_job_is_busy_and_retryable(LibvirtErrorCode code)
    {
        var error = EngineBoundary.Wrap(Libvirt(code), "backup of web-1");
        Assert.Equal(ErrorReason.DomainBusy, error.Reason);
        Assert.True(error.Retryable);
    }

    [Fact]
    public void Any_other_libvirt_error_is_a_terminal_libvirt_error()
    {
        var error = EngineBoundary.Wrap(Libvirt(LibvirtErrorCode.ConfigUnsupported), "snapshot");
        Assert.Equal(ErrorReason.LibvirtError, error.Reason);
        Assert.False(error.Retryable);
    }

    [Fact]
    public void A_qemu_img_failure_is_tool_failed_and_keeps_its_stderr()
    {
        var inner = new ExternalToolException("qemu-img", ["check", "x.qcow2"], 3, "Leaked cluster 12");
        var error = EngineBoundary.Wrap(inner, "verification of hv1/web-1");
        Assert.Equal(ErrorReason.ToolFailed, error.Reason);
        Assert.False(error.Retryable);
        Assert.Contains("Leaked cluster 12", error.Message);
        Assert.Same(inner, error.InnerException);
    }

    [Fact]
    public void A_qemu_img_that_ran_out_of_space_is_repository_full()
    {
        var error = EngineBoundary.Wrap(new ExternalToolException("qemu-img", ["convert"], 1, "error while writing: No space left on device"), "prune");
        Assert.Equal(ErrorReason.RepositoryFull, error.Reason);
        Assert.True(error.Retryable);
    }

    [Fact]
    public void An_enospc_io_error_is_repository_full_and_retryable()
    {
        var error = EngineBoundary.Wrap(new IOException("No space left on device", 28), "backup of web-1");
        Assert.Equal(ErrorReason.RepositoryFull, error.Reason);
        Assert.True(error.Retryable);
    }

    [Fact]
    public void Another_io_error_is_repository_unavailable_and_retryable()
    {
        var error = EngineBoundary.Wrap(new IOException("Input/output error", 5), "backup of web-1");
        Assert.Equal(ErrorReason.RepositoryUnavailable, error.Reason);
        Assert.True(error.Retryable);
    }

    [Fact]
    public void An_unreadable_repository_document_is_repository_corrupt()
    {
        var error = EngineBoundary.Wrap(new InvalidDataException("restore point manifest x.json is unreadable"), "list");
        Assert.Equal(ErrorReason.RepositoryCorrupt, error.Reason);
        Assert.False(error.Retryable);
    }

    [Fact]
    public void A_permission_error_is_permission_denied()
    {
        var error = EngineBoundary.Wrap(new UnauthorizedAccessException("Access to the path is denied"), "backup");
        Assert.Equal(ErrorReason.PermissionDenied, error.Reason);
        Assert.False(error.Retryable);
    }

    [Fact]
    public void A_cancellation_that_is_not_the_callers_is_interrupted_and_retryable()
    {
        var error = EngineBoundary.Wrap(new TaskCanceledException("timed out"), "backup");
        Assert.Equal(ErrorReason.Interrupted, error.Reason);
        Assert.True(error.Retryable);
    }

    [Fact]
    public async Task The_callers_own_cancellation_passes_through_unwrapped()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            EngineBoundary.RunAsync<int>("backup", cancelled.Token, () => throw new OperationCanceledException(cancelled.Token)));
    }

    [Fact]
    public async Task A_fibackup_exception_passes_through_as_it_is()
    {
        var original = new InvalidInputException("bad", EngineField.Mode);
        var thrown = await Assert.ThrowsAsync<InvalidInputException>(() =>
            EngineBoundary.RunAsync<int>("backup", CancellationToken.None, () => throw original));
        Assert.Same(original, thrown);
    }

    [Fact]
    public void An_unexpected_exception_is_an_internal_error_with_the_original_inside()
    {
        var inner = new NullReferenceException("oops");
        var error = Assert.Throws<FibackupException>(() => EngineBoundary.Run<int>("backup of web-1", () => throw inner));
        Assert.Equal(ErrorReason.InternalError, error.Reason);
        Assert.Same(inner, error.InnerException);
    }

    [Fact]
    public void The_subclasses_carry_their_reasons()
    {
        Assert.Equal((ErrorReason.DomainBusy, true), Of(new BusyException("busy")));
        Assert.Equal((ErrorReason.InvalidSpec, false), Of(new InvalidInputException("bad")));
        Assert.Equal((ErrorReason.PointNotFound, false), Of(new InvalidInputException("no point", EngineField.Point, reason: ErrorReason.PointNotFound)));
        Assert.Equal((ErrorReason.QuiesceFailed, true), Of(new Sources.QuiesceFailedException("no agent")));
        Assert.Equal((ErrorReason.RepositoryFull, true), Of(new RepositoryFullException("/repo/x", 10, 5)));
        Assert.Equal(EngineField.Quiesce, new Sources.QuiesceFailedException("no agent").Field);

        static (string, bool) Of(FibackupException e) => (e.Reason, e.Retryable);
    }
}
