using FiBackup.Engine;
using System.Diagnostics;
using FiBackup.Engine.Backup;

namespace FiBackup.Operator.Cli;

/// <summary>
/// A one-line progress bar on stderr when it is a terminal; step names only when it is not
/// (a log file or CI should not fill with carriage returns).
/// </summary>
public sealed class TerminalProgress(TextWriter error, bool interactive) : IProgress<BackupProgress>, IDisposable
{
    private readonly Stopwatch sinceDraw = Stopwatch.StartNew();
    private BackupStep? lastStep;
    private bool drawn;

    public static TerminalProgress ForConsole(TextWriter error) => new(error, !Console.IsErrorRedirected);

    public void Report(BackupProgress value)
    {
        var stepChanged = value.Step != lastStep;
        lastStep = value.Step;
        if (!interactive)
        {
            if (stepChanged) error.WriteLine($"{value.Step.ToString().ToLowerInvariant()}...");
            return;
        }
        var finished = value.BytesTotal > 0 && value.BytesDone >= value.BytesTotal;
        if (!stepChanged && !finished && sinceDraw.ElapsedMilliseconds < 200) return;
        sinceDraw.Restart();
        const int width = 30;
        var filled = value.BytesTotal <= 0 ? 0 : (int)(width * Math.Min(1.0, (double)value.BytesDone / value.BytesTotal));
        var bar = value.BytesTotal <= 0 ? "" :
            $" [{new string('#', filled)}{new string('-', width - filled)}] {value.Percent,3}% {ByteSize.Format(value.BytesDone)}/{ByteSize.Format(value.BytesTotal)}";
        var disk = value.Disk is null ? "" : $" {value.Disk}";
        error.Write($"\r{value.Step,-13}{disk}{bar}\u001b[K");
        drawn = true;
    }

    public void Dispose()
    {
        if (drawn) error.WriteLine();
    }
}
