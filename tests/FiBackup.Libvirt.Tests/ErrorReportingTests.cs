using System.Runtime.InteropServices;

namespace FiBackup.Libvirt.Tests;

[Collection(nameof(SerialCollection))]
public sealed partial class ErrorReportingTests
{
    [Fact]
    public void Failing_calls_print_nothing_on_stderr()
    {
        using var connection = LibvirtConnection.Open(LibvirtFixture.Uri);
        var captured = Path.GetTempFileName();
        try
        {
            var stderr = CaptureStderr(captured, () =>
            {
                Assert.Throws<LibvirtException>(() => connection.LookupDomain("fibt-no-such-domain"));
                Assert.Throws<LibvirtException>(() => LibvirtConnection.Open("nosuchdriver:///x"));
            });

            Assert.Equal("", stderr);
        }
        finally
        {
            File.Delete(captured);
        }
    }

    [Fact]
    public void An_error_is_read_on_the_thread_that_failed_and_not_seen_by_the_next_call()
    {
        using var connection = LibvirtConnection.Open(LibvirtFixture.Uri);
        Assert.Throws<LibvirtException>(() => connection.LookupDomain("fibt-no-such-domain"));

        var errors = new LibvirtException?[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            try
            {
                if (i == 0) connection.LookupDomain("fibt-missing-a");
                else LibvirtConnection.Open("nosuchdriver:///b").Dispose();
            }
            catch (LibvirtException e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(LibvirtErrorCode.NoDomain, errors[0]?.Code);
        Assert.Contains("fibt-missing-a", errors[0]?.Message);
        Assert.Equal(LibvirtErrorCode.NoConnect, errors[1]?.Code);
        Assert.Contains("nosuchdriver:///b", errors[1]?.Message);
        Assert.True(connection.IsAlive);
    }

    /// <summary>Points file descriptor 2 at a file while <paramref name="action"/> runs: libvirt writes there directly, not through Console.</summary>
    private static string CaptureStderr(string path, Action action)
    {
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            var saved = dup(2);
            Assert.True(saved >= 0);
            try
            {
                Assert.True(dup2((int)file.SafeFileHandle.DangerousGetHandle(), 2) >= 0);
                action();
            }
            finally
            {
                dup2(saved, 2);
                close(saved);
            }
        }
        return File.ReadAllText(path);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
