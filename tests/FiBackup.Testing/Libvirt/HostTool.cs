using System.Diagnostics;

namespace FiBackup.Testing.Libvirt;

/// <summary>Runs a host tool (qemu-img, virt-admin) with an argument array; a failure throws with its stderr.</summary>
public static class HostTool
{
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(await stderr).Trim()}");
        return await stdout;
    }

    /// <summary>qemu-img create -f qcow2 [-b backing -F qcow2] path [size].</summary>
    public static Task CreateQcow2Async(string path, long bytes, string? backingFile = null) =>
        backingFile is null
            ? RunAsync("qemu-img", "create", "-q", "-f", "qcow2", path, bytes.ToString())
            : RunAsync("qemu-img", "create", "-q", "-f", "qcow2", "-b", backingFile, "-F", "qcow2", path, bytes.ToString());
}
