using FiBackup.Engine.Errors;

namespace FiBackup.Operator.Cli;

/// <summary>
/// The engine names the input at fault by its meaning (<see cref="EngineField"/>); a CLI user typed
/// a flag. This maps one to the other so an error line starts with the flag to fix:
/// "fibackup: error: --domain: domain "web-1" not found on qemu:///system".
/// </summary>
public static class CliFields
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        [EngineField.Domain] = "--domain",
        [EngineField.Repository] = "--repository",
        [EngineField.Source] = "--connect",
        [EngineField.Host] = "--host",
        [EngineField.Mode] = "--mode",
        [EngineField.Point] = "--point",
        [EngineField.Disks] = "--disk",
        [EngineField.TargetDirectory] = "--target-dir",
        [EngineField.NewName] = "--as",
        [EngineField.InPlace] = "--force",
        [EngineField.Start] = "--start",
        [EngineField.Define] = "--no-define",
        [EngineField.Flatten] = "--flatten",
        [EngineField.Bandwidth] = "--bandwidth",
        [EngineField.Quiesce] = "--quiesce",
        [EngineField.Consolidation] = "--consolidate",
        [EngineField.AllowBaseWrite] = "--allow-base-write",
        [EngineField.KeepLast] = "--keep-last",
        [EngineField.KeepDaily] = "--keep-daily",
        [EngineField.KeepWeekly] = "--keep-weekly",
        [EngineField.KeepMonthly] = "--keep-monthly",
    };

    /// <summary>
    /// The flag for a field; a field that already is a flag (errors raised by the CLI itself) is
    /// returned as it is; null for one the command line has no flag for.
    /// </summary>
    public static string? FlagFor(string? field) =>
        field is null ? null
        : field.StartsWith("--", StringComparison.Ordinal) ? field
        : Flags.GetValueOrDefault(field);

    /// <summary>The error text a user sees: the flag at fault, then the engine's message.</summary>
    public static string Describe(Exception e) =>
        e is FibackupException { Field: var field } && FlagFor(field) is { } flag ? $"{flag}: {e.Message}" : e.Message;
}
