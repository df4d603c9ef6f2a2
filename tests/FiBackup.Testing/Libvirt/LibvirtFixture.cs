using System.Collections.Concurrent;
using FiBackup.Libvirt;
using Xunit;

namespace FiBackup.Testing.Libvirt;

/// <summary>
/// Opens <c>qemu:///system</c> and makes throwaway <c>type='qemu'</c> (TCG) domains, each named
/// <c>fibt-&lt;random&gt;</c> with its images in its own directory under
/// <c>/var/tmp/fibackup-tests</c> (or <c>$FIBACKUP_TEST_ROOT</c>). Use as a class or collection
/// fixture; it fails loudly when libvirtd cannot be reached. Whatever a test leaves behind is
/// removed when the fixture is disposed.
/// </summary>
public sealed class LibvirtFixture : IAsyncLifetime
{
    public const string Uri = "qemu:///system";
    public const string NamePrefix = "fibt-";
    private const long MiB = 1024 * 1024;

    private readonly ConcurrentDictionary<string, string> created = new(); // name -> directory
    private readonly ConcurrentDictionary<string, List<string>> loopDevices = new(); // name -> loop devices to detach
    private LibvirtConnection? connection;

    public LibvirtFixture()
    {
        Root = Environment.GetEnvironmentVariable("FIBACKUP_TEST_ROOT") is { Length: > 0 } root
            ? root
            : "/var/tmp/fibackup-tests";
    }

    /// <summary>Where test domains keep their directories.</summary>
    public string Root { get; }

    public LibvirtConnection Connection => connection ?? throw new InvalidOperationException("the fixture is not initialized");

    public Task InitializeAsync()
    {
        try
        {
            connection = LibvirtConnection.Open(Uri);
        }
        catch (LibvirtException e)
        {
            throw new InvalidOperationException($"libvirtd is not reachable at {Uri} (run scripts/setup.sh): {e.Message}", e);
        }
        CreateTraversableDirectory(Root);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Defines (and by default starts) a domain with <paramref name="disks"/> virtio qcow2 disks
    /// vda, vdb, ... of <paramref name="diskBytes"/> each.
    /// </summary>
    public async Task<TestDomain> CreateDomainAsync(int disks = 2, long diskBytes = 64 * MiB, bool start = true,
        TestDomainOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(disks);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(disks, 20);
        options ??= new TestDomainOptions();
        var random = Guid.NewGuid().ToString("N")[..10];
        var name = options.Name is null ? NamePrefix + random : $"{NamePrefix}{options.Name}-{random}";
        var directory = Path.Combine(Root, NamePrefix + random);
        created[name] = directory;
        Domain? domain = null;
        try
        {
            CreateTraversableDirectory(directory);
            var diskList = new List<TestDisk>();
            for (var i = 0; i < disks; i++)
            {
                var target = "vd" + (char)('a' + i);
                var path = Path.Combine(directory, options.DiskFileNames.GetValueOrDefault(target) ?? target + ".qcow2");
                if (options.LoopDeviceDisks.Contains(target))
                {
                    var backingFile = Path.Combine(directory, target + ".loop.raw");
                    await using (var raw = File.Create(backingFile)) raw.SetLength(diskBytes);
                    var device = (await HostTool.RunAsync("losetup", "--find", "--show", backingFile)).Trim();
                    loopDevices.AddOrUpdate(name, [device], (_, list) => [.. list, device]);
                    diskList.Add(new TestDisk(target, device, null, "raw", BlockDevice: true));
                    continue;
                }
                if (options.RawDisks.Contains(target))
                {
                    await using (var raw = File.Create(path)) raw.SetLength(diskBytes);
                    diskList.Add(new TestDisk(target, path, null, "raw"));
                    continue;
                }
                string? template = null;
                if (options.DisksWithBackingChain.Contains(target))
                {
                    template = Path.Combine(directory, $"template-{target}.qcow2");
                    await HostTool.CreateQcow2Async(template, diskBytes);
                }
                await HostTool.CreateQcow2Async(path, diskBytes, template);
                diskList.Add(new TestDisk(target, path, template));
            }
            string? cdrom = null;
            if (options.Cdrom)
            {
                cdrom = Path.Combine(directory, "cdrom.iso");
                await using (var file = File.Create(cdrom)) file.SetLength(MiB);
            }

            domain = Connection.DefineDomain(TestDomainXml.Build(name, diskList, cdrom, options.GuestAgentChannel));
            if (start) domain.Start(paused: options.StartPaused);
            return new TestDomain(this, domain, directory, diskList, cdrom);
        }
        catch
        {
            domain?.Dispose();
            await RemoveAsync(name);
            throw;
        }
    }

    /// <summary>Destroys and undefines the domain (with its snapshot/checkpoint metadata and nvram) and deletes its directory and log. Never throws.</summary>
    internal async Task RemoveAsync(string name)
    {
        if (!created.TryRemove(name, out var directory)) return;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                RemoveDomain(name);
                break;
            }
            catch (LibvirtException) when (attempt < 3)
            {
                // e.g. OPERATION_TIMEOUT while a block job still holds the domain's state lock.
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"LibvirtFixture: could not remove domain {name}: {e.Message}");
                break;
            }
        }
        // After the domain is gone, so QEMU no longer holds the device open.
        if (loopDevices.TryRemove(name, out var devices))
        {
            foreach (var device in devices)
            {
                try
                {
                    await HostTool.RunAsync("losetup", "--detach", device);
                }
                catch (Exception e)
                {
                    await Console.Error.WriteLineAsync($"LibvirtFixture: could not detach {device} of {name}: {e.Message}");
                }
            }
        }
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            File.Delete(TestDomain.LogPathOf(name));
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"LibvirtFixture: could not delete files of {name}: {e.Message}");
        }
    }

    private void RemoveDomain(string name) => connection?.RemoveDomain(name);

    /// <summary>Removes every domain this fixture made that a test did not dispose (last resort).</summary>
    public async Task DisposeAsync()
    {
        foreach (var name in created.Keys.ToList()) await RemoveAsync(name);
        connection?.Dispose();
    }

    /// <summary>libvirt runs QEMU as libvirt-qemu, which must traverse every directory to its images.</summary>
    private static void CreateTraversableDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }
}
