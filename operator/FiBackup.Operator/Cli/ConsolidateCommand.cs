using System.CommandLine;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Consolidation;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup consolidate`: fold the overlays fibackup added to a domain's disks.</summary>
public static class ConsolidateCommand
{
    public static Command Create()
    {
        var connect = CliOptions.Connect();
        var domain = CliOptions.Domain();
        var method = CliOptions.Choice("--method", "Commit folds down and moves the domain onto the result; pull folds up into the active image", "commit", "commit", "pull");
        var allowBaseWrite = new Option<bool>("--allow-base-write") { Description = "Allow committing into the original base image" };
        var bandwidth = new Option<string>("--bandwidth") { Description = "Limit for the block jobs, bytes per second (e.g. 50MiB)" };

        var command = new Command("consolidate", "Fold fibackup's overlays back so the domain's live chain is short")
        {
            connect, domain, method, allowBaseWrite, bandwidth,
        };
        command.SetAsyncAction(async (parse, context) =>
        {
            var chosen = CliOptions.ParseEnum<ConsolidationMethod>("--method", parse.GetValue(method)!);
            var limit = parse.GetValue(bandwidth) is { } text ? CliOptions.ParseSize("--bandwidth", text) : 0;
            using var source = LibvirtVmSource.Connect(parse.GetValue(connect)!);
            var outcomes = await new ConsolidateRunner(new FileDomainLocks()).RunAsync(source, parse.GetValue(domain)!, chosen,
                parse.GetValue(allowBaseWrite), limit, context.CancellationToken);
            foreach (var outcome in outcomes)
            {
                context.Output.WriteLine($"{outcome.Target}: {outcome.Summary}");
                foreach (var deleted in outcome.DeletedOverlays) context.Output.WriteLine($"  deleted {deleted}");
            }
            return CommandRunner.Success;
        });
        return command;
    }
}
