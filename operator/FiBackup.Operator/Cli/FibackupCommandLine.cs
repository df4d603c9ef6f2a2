using System.CommandLine;

namespace FiBackup.Operator.Cli;

/// <summary>The `fibackup` command tree: one file per command, assembled here.</summary>
public static class FibackupCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("fibackup: forward-incremental backups of libvirt/QEMU virtual machines");
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(ConsolidateCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(PruneCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parseResult = Build().Parse(args);
        return await parseResult.InvokeAsync(cancellationToken: cancellationToken);
    }
}
