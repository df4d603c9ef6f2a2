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
        root.Subcommands.Add(VersionCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parseResult = Build().Parse(args);
        // Ctrl-C or SIGTERM cancels the command; a backup then undoes its snapshot (an active
        // commit that can take a while), so the process must not be cut off after the default 2 s.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(10) };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }
}
