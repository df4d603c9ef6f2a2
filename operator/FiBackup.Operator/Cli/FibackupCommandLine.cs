using System.CommandLine;

namespace FiBackup.Operator.Cli;

/// <summary>The `fibackup` command tree: one file per command, assembled here.</summary>
public static class FibackupCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("fibackup: forward-incremental backups of libvirt/QEMU virtual machines");
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(ConsolidateCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(PruneCommand.Create());
        root.Subcommands.Add(OperatorCommand.Create());
        root.Subcommands.Add(MoverCommand.Create());
        root.Subcommands.Add(CrdsCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        return root;
    }

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        // Ctrl-C or SIGTERM cancels the command; a backup then undoes its snapshot (an active
        // commit that can take a while), so the process must not be cut off after the default 2 s.
        InvokeAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(10) }, cancellationToken);

    /// <summary>
    /// Parses and runs one command line. Parse errors follow the same contract as every other
    /// failure: one "fibackup: error: ..." line on stderr and exit code 2, nothing on stdout.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration configuration, CancellationToken cancellationToken = default)
    {
        // No arguments at all: show what there is, as kubectl and git do.
        var parseResult = Build().Parse(args.Length == 0 ? ["--help"] : args);
        if (parseResult.Errors.Count > 0)
        {
            var error = configuration.Error;
            var command = parseResult.CommandResult.Command;
            var usage = command is RootCommand ? "fibackup --help" : $"fibackup {command.Name} --help";
            error.WriteLine($"fibackup: error: {string.Join("; ", parseResult.Errors.Select(e => e.Message.TrimEnd('.')))} (see `{usage}`)");
            return CommandRunner.InvalidInput;
        }
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }
}
