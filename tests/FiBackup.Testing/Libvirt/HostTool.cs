using FiBackup.Engine.Tools;

namespace FiBackup.Testing.Libvirt;

/// <summary>
/// Host tools (qemu-img, virt-admin, stat) for tests, through the engine's own runner
/// (<see cref="ExternalTool"/>): an argument array, stdout returned, a failure thrown with its stderr.
/// </summary>
public static class HostTool
{
    public static async Task<string> RunAsync(string tool, params string[] arguments) =>
        (await ExternalTool.RunAsync(tool, arguments, CancellationToken.None)).StandardOutput;

    /// <summary>qemu-img create -f qcow2 [-b backing -F qcow2] path size.</summary>
    public static Task CreateQcow2Async(string path, long bytes, string? backingFile = null) =>
        QemuImg.CreateAsync(path, bytes, CancellationToken.None, backingFile);
}
