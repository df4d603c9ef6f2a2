using System.CommandLine;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Tools;

namespace FiBackup.Operator.Cli;

/// <summary>
/// Runs a command body and turns every failure into the CLI contract: one line on stderr,
/// "fibackup: error: [--flag: ]&lt;what was wrong&gt;" (the flag from the error's logical field,
/// <see cref="CliFields"/>), and a non-zero exit code.
/// </summary>
public static class CommandRunner
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;
    public const int Busy = 3;

    public static void SetAsyncAction(this Command command, Func<ParseResult, CommandContext, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = new CommandContext(parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error, cancellationToken);
            try
            {
                return await body(parseResult, context);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Not "nothing was left half-done": a backup undoes its snapshot on the way out, but whatever
                // it could not undo (or a kill cut short) stays journaled for the next run to settle.
                context.Error.WriteLine("fibackup: interrupted; the next run for the domain finishes or undoes whatever this one left unfinished");
                return 130;
            }
            catch (Exception e) when (ExitCodeFor(e) is { } code)
            {
                context.Error.WriteLine($"fibackup: error: {OneLine(CliFields.Describe(e))}");
                if (Environment.GetEnvironmentVariable("FIBACKUP_DEBUG") == "1")
                    context.Error.WriteLine(e.ToString());
                return code;
            }
        });

    private static int? ExitCodeFor(Exception e) => e switch
    {
        InvalidInputException or InvalidNameException or FormatException => InvalidInput,
        FibackupException { Reason: ErrorReason.DomainBusy } => Busy,
        BusyException => Busy,
        FibackupException or ExternalToolException or IOException
            or UnauthorizedAccessException or InvalidDataException => Failure,
        _ => null,
    };

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>What a command body needs from the invocation: output, error and cancellation.</summary>
public sealed record CommandContext(TextWriter Output, TextWriter Error, CancellationToken CancellationToken);
