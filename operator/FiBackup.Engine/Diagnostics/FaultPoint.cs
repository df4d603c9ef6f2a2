namespace FiBackup.Engine.Diagnostics;

/// <summary>
/// Test hook for failure handling: when FIBACKUP_FAIL_AT names the step being reached, an
/// IOException is thrown there, like a full disk or a dropped mount would. Unlike
/// <see cref="CrashPoint"/> the process lives on, so the engine's own error handling runs.
/// </summary>
public static class FaultPoint
{
    public const string Variable = "FIBACKUP_FAIL_AT";

    public static void Reached(string step)
    {
        if (Environment.GetEnvironmentVariable(Variable) == step)
            throw new IOException($"injected failure at {step} ({Variable})");
    }
}
