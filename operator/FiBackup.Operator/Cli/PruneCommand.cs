using FiBackup.Engine;
using System.CommandLine;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Prune;

namespace FiBackup.Operator.Cli;

/// <summary>
/// `fibackup prune`: drops the restore points of one domain that the --keep-* rules do not keep,
/// keeping every retained point restorable byte for byte, and reclaims their space. --dry-run
/// prints the decisions and changes nothing.
/// </summary>
public static class PruneCommand
{
    public static Command Create()
    {
        var repositoryOptions = new RepositoryOptions(domainRequired: true, "The domain whose restore points to prune");
        var keepLast = KeepOption("--keep-last", "Keep the newest N restore points");
        var keepDaily = KeepOption("--keep-daily", "Keep the newest point of each of the N most recent days that have points");
        var keepWeekly = KeepOption("--keep-weekly", "Keep the newest point of each of the N most recent ISO weeks that have points");
        var keepMonthly = KeepOption("--keep-monthly", "Keep the newest point of each of the N most recent months that have points");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be kept and dropped, and why; change nothing" };
        var timeZone = new Option<string?>("--time-zone")
        {
            Description = "Time zone whose days, weeks and months the rules count (IANA name, e.g. Europe/Rome; default: this machine's)",
        };
        var command = new Command("prune", "Drop restore points a retention policy does not keep");
        repositoryOptions.AddTo(command);
        foreach (var option in new Option[] { keepLast, keepDaily, keepWeekly, keepMonthly, dryRun, timeZone }) command.Options.Add(option);

        command.SetAsyncAction(async (parseResult, context) =>
        {
            var policy = new RetentionPolicy(parseResult.GetValue(keepLast), parseResult.GetValue(keepDaily),
                parseResult.GetValue(keepWeekly), parseResult.GetValue(keepMonthly));
            policy.Validate(field => CliFields.FlagFor(field) ?? field);
            var zone = ZoneFrom(parseResult.GetValue(timeZone));
            var repository = repositoryOptions.OpenRepository(parseResult);
            var domain = repositoryOptions.SelectOneDomain(parseResult, repository);
            var isDryRun = parseResult.GetValue(dryRun);

            var result = await new Pruner(zone, TimeProvider.System).PruneAsync(domain, policy, isDryRun, context.CancellationToken);

            var output = context.Output;
            var name = $"{domain.Host}/{domain.Domain}";
            if (result.Recovery is { } recovery)
                output.WriteLine($"{name}: finished an interrupted prune: {Wording.Count(recovery.ManifestsDeleted.Count, "restore point")} dropped, {Wording.Count(recovery.FilesDeleted.Count, "leftover file")} deleted ({ByteSize.Format(recovery.BytesDeleted)})");
            var kept = result.Plan.Kept.Count();
            var dropped = result.Plan.Dropped.Count();
            output.WriteLine($"{name}: {policy}: keep {kept}, drop {dropped} of {Wording.Count(kept + dropped, "restore point")}{(isDryRun ? " (dry run: nothing changed)" : "")}");
            TableWriter.Write(output, ["ACTION", "POINT", "TYPE", "REASON"], result.Plan.Decisions.Select(d => (IReadOnlyList<string>)
            [
                d.Keep ? "keep" : "drop", d.Id, ListCommand.TypeName(d.Point.Type),
                d.Keep ? string.Join(", ", d.Reasons) : "matches no rule",
            ]));
            if (!isDryRun)
                output.WriteLine(
                    $"pruned {name}: dropped {Wording.Count(dropped, "restore point")}; wrote {Wording.Count(result.FilesWritten.Count, "file")} ({ByteSize.Format(result.BytesWritten)}), deleted {Wording.Count(result.FilesDeleted.Count, "file")} ({ByteSize.Format(result.BytesDeleted)})");
            return CommandRunner.Success;
        });
        return command;
    }

    private static Option<int> KeepOption(string name, string description) => new(name)
    {
        Description = description + " (default 0)",
        DefaultValueFactory = _ => 0,
    };

    private static TimeZoneInfo ZoneFrom(string? name)
    {
        if (name is null) return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidInputException($"\"{name}\" is not a known time zone; give an IANA name such as Europe/Rome or UTC", "--time-zone");
        }
    }
}
