using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace FiBackup.Engine.Tools;

/// <summary>
/// Runs an external program with an argument array (never a shell string), captures its output,
/// and turns a non-zero exit into an <see cref="ExternalToolException"/> that quotes stderr.
/// </summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(string tool, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken, bool throwOnFailure = true)
    {
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap(tool)
                .WithArguments(arguments)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(Encoding.UTF8, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalToolException(tool, arguments, -1,
                $"cannot start {tool}: {e.Message} (is it installed? scripts/setup.sh installs qemu-utils)");
        }
        if (throwOnFailure && result.ExitCode != 0)
            throw new ExternalToolException(tool, arguments, result.ExitCode, result.StandardError);
        return new Result(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
