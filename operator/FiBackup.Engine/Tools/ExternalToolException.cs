namespace FiBackup.Engine.Tools;

/// <summary>An external program (qemu-img, ...) failed; the message carries its command line and stderr.</summary>
public sealed class ExternalToolException(string tool, IReadOnlyList<string> arguments, int exitCode, string standardError)
    : Exception($"{tool} {string.Join(' ', arguments)} failed (exit {exitCode}): {FirstLines(standardError)}")
{
    public string Tool { get; } = tool;
    public IReadOnlyList<string> Arguments { get; } = arguments;
    public int ExitCode { get; } = exitCode;
    public string StandardError { get; } = standardError;

    private static string FirstLines(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "(no error output)" : trimmed.Length > 2000 ? trimmed[..2000] + "…" : trimmed;
    }
}
