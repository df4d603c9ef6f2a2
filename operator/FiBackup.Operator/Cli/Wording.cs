namespace FiBackup.Operator.Cli;

/// <summary>Counts in sentences: "1 file", "3 files".</summary>
internal static class Wording
{
    public static string Count(long count, string singular, string? plural = null) =>
        $"{count} {(count == 1 ? singular : plural ?? singular + "s")}";
}
