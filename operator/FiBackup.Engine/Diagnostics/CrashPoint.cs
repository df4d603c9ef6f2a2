using System.Runtime.InteropServices;

namespace FiBackup.Engine.Diagnostics;

/// <summary>
/// Named points in multi-step operations where tests kill the process to prove crash safety:
/// with FIBACKUP_CRASH_AT=&lt;name&gt; in the environment, reaching that point sends SIGKILL to
/// this process, so nothing (no finally, no flush) runs after it, as in a power cut.
/// </summary>
public static partial class CrashPoint
{
    public const string EnvironmentVariable = "FIBACKUP_CRASH_AT";

    public static void Reached(string name)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != name) return;
        Console.Error.WriteLine($"fibackup: {EnvironmentVariable}={name}: killing myself (SIGKILL) for a crash test");
        Console.Error.Flush();
        _ = kill(Environment.ProcessId, SigKill);
    }

    private const int SigKill = 9;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
