using System.Text.RegularExpressions;
using FiBackup.Libvirt;
using Xunit.Sdk;

namespace FiBackup.Testing.Libvirt;

/// <summary>
/// Simulated guest I/O: qemu-io run inside the domain's QEMU through the HMP monitor, so writes
/// and reads go through the disk's current block backend (the top of its live chain), as a
/// guest's would. qemu-io prints to QEMU's stdout, which libvirt appends to the domain log,
/// not to the monitor reply; results are read from there.
/// </summary>
public sealed partial class TestDomain
{
    private static readonly TimeSpan QemuIoTimeout = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim qemuIo = new(1, 1);

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="pattern"/> at <paramref name="offset"/> of the disk; throws unless qemu-io reports the whole write.</summary>
    public async Task WriteGuestPatternAsync(string disk, long offset, long length, byte pattern)
    {
        var output = await RunQemuIoAsync(disk, $"write -P 0x{pattern:x2} {offset} {length}", "wrote", offset, length);
        if (Regex.IsMatch(output, @"^write failed", RegexOptions.Multiline))
            throw new InvalidOperationException($"qemu-io write on {Name}/{disk} failed: {output.Trim()}");
    }

    /// <summary>True when every byte of the range reads as <paramref name="pattern"/>.</summary>
    public async Task<bool> ReadGuestPatternAsync(string disk, long offset, long length, byte pattern)
    {
        var output = await RunQemuIoAsync(disk, $"read -P 0x{pattern:x2} {offset} {length}", "read", offset, length);
        if (Regex.IsMatch(output, @"^read failed", RegexOptions.Multiline))
            throw new InvalidOperationException($"qemu-io read on {Name}/{disk} failed: {output.Trim()}");
        return !output.Contains("Pattern verification failed", StringComparison.Ordinal);
    }

    /// <summary>Fails the test, naming the disk, range and expected byte, unless the range holds the pattern.</summary>
    public async Task AssertGuestPatternAsync(string disk, long offset, long length, byte pattern)
    {
        if (!await ReadGuestPatternAsync(disk, offset, length, pattern))
            throw new XunitException(
                $"{Name}: disk {disk} does not read 0x{pattern:x2} in the {length} bytes at offset {offset} (live chain: {string.Join(" <- ", LiveChain(disk).Reverse())})");
    }

    /// <summary>
    /// Writes the disk's whole content as the guest sees it into a raw file: flushes QEMU's qcow2
    /// caches, then reads the live chain with qemu-img's force-share (the image is in use).
    /// </summary>
    public async Task ExportGuestDiskAsync(string disk, string rawDestination)
    {
        await qemuIo.WaitAsync();
        try
        {
            var reply = Domain.QemuMonitorCommand($"qemu-io -d {QomPathOf(disk)} \"flush\"", QemuMonitorMode.Hmp);
            if (reply.Trim().Length > 0) throw new InvalidOperationException($"qemu-io flush on {Name}/{disk}: {reply.Trim()}");
        }
        finally
        {
            qemuIo.Release();
        }
        await HostTool.RunAsync("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", LiveChain(disk)[0], rawDestination);
    }

    private string QomPathOf(string disk) => $"/machine/peripheral/{AliasOf(disk)}/virtio-backend";

    private async Task<string> RunQemuIoAsync(string disk, string command, string verb, long offset, long length)
    {
        var done = new Regex($@"^{verb} {length}/{length} bytes at offset {offset}$", RegexOptions.Multiline);
        var failed = new Regex(@"^(read|write) failed", RegexOptions.Multiline);
        await qemuIo.WaitAsync();
        try
        {
            var start = new FileInfo(LogPath).Length;
            var reply = Domain.QemuMonitorCommand($"qemu-io -d {QomPathOf(disk)} \"{command}\"", QemuMonitorMode.Hmp);
            if (reply.Trim().Length > 0)
                throw new InvalidOperationException($"qemu-io '{command}' on {Name}/{disk}: {reply.Trim()}");
            var deadline = DateTime.UtcNow + QemuIoTimeout;
            while (true)
            {
                var output = ReadLogFrom(start);
                if (done.IsMatch(output) || failed.IsMatch(output)) return output;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"qemu-io '{command}' on {Name}/{disk} printed no result in {LogPath} within {QemuIoTimeout.TotalSeconds} s; it printed: {output.Trim()}");
                await Task.Delay(20);
            }
        }
        finally
        {
            qemuIo.Release();
        }
    }

    private string ReadLogFrom(long offset)
    {
        using var log = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        log.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(log);
        return reader.ReadToEnd();
    }
}
