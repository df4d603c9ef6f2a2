using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A small tmpfs mounted for one test: a repository that is read-only (the tests run as root,
/// for whom chmod changes nothing) or that fills up. Unmounted and removed on dispose.
/// </summary>
public sealed class TmpfsMount : IAsyncDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> on a new directory under <paramref name="parent"/>; throws when mounting is impossible.</summary>
    public static async Task<TmpfsMount> CreateAsync(string parent, long bytes, bool readOnly)
    {
        var path = System.IO.Path.Combine(parent, $"tmpfs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        try
        {
            await HostTool.RunAsync("mount", "-t", "tmpfs", "-o", $"{(readOnly ? "ro" : "rw")},size={bytes}", "tmpfs", path);
        }
        catch (InvalidOperationException e)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"this test needs to mount a tmpfs on {path} (root, mount privileges): {e.Message}", e);
        }
        return new TmpfsMount(path);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await HostTool.RunAsync("umount", Path);
            Directory.Delete(Path);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"TmpfsMount: could not unmount or remove {Path}: {e.Message}");
        }
    }
}
