using FiBackup.Engine;
using System.CommandLine;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Restore;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup restore`: put a restore point's disks in a directory and define the domain.</summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var repository = CliOptions.Repository();
        var domain = CliOptions.Domain();
        var point = new Option<string>("--point", "-p") { Description = "Restore point id (see `fibackup list`) or latest", Required = true };
        var targetDir = new Option<string>("--target-dir", "-t") { Description = "Directory for the restored images (created if missing)", Required = true };
        var connect = CliOptions.Connect(required: false);
        connect.DefaultValueFactory = _ => "qemu:///system";
        var newName = new Option<string>("--as") { Description = "Define a copy under this name (new UUID and MAC addresses)" };
        var force = new Option<bool>("--force") { Description = "Replace the disks of the existing domain (it must be shut off); old images are kept" };
        var flatten = new Option<bool>("--flatten") { Description = "One self-contained image per disk instead of the chain" };
        var noDefine = new Option<bool>("--no-define") { Description = "Only restore the images; define nothing" };
        var start = new Option<bool>("--start") { Description = "Start the domain after defining it" };
        var disks = new Option<string[]>("--disk") { Description = "Restore only this disk target (repeatable); default all", AllowMultipleArgumentsPerToken = true };
        var host = new Option<string>("--host") { Description = "Host directory in the repository, when the domain was backed up from several" };

        var command = new Command("restore", "Restore a restore point as a new domain, in place, or as images only")
        {
            repository, domain, point, targetDir, connect, newName, force, flatten, noDefine, start, disks, host,
        };
        command.SetAsyncAction(async (parse, context) =>
        {
            var request = new RestoreRequest
            {
                RepositoryRoot = parse.GetValue(repository)!,
                Domain = parse.GetValue(domain)!,
                Point = parse.GetValue(point)!,
                TargetDirectory = parse.GetValue(targetDir)!,
                NewName = parse.GetValue(newName),
                Force = parse.GetValue(force),
                Flatten = parse.GetValue(flatten),
                Define = !parse.GetValue(noDefine),
                Start = parse.GetValue(start),
                Disks = parse.GetValue(disks) is { Length: > 0 } chosen ? chosen : null,
                Host = parse.GetValue(host),
            };
            using IVmSource? source = request.Define ? LibvirtVmSource.Connect(parse.GetValue(connect)!) : null;
            var result = await new RestoreRunner(new FileDomainLocks()).RunAsync(source, request, progress: null, context.CancellationToken);
            foreach (var note in result.Notes) context.Error.WriteLine($"fibackup: note: {note}");
            context.Output.WriteLine($"restored {request.Domain} point {result.PointId}" +
                                     (result.Defined ? $" as domain {result.Domain}" : " (images only)") +
                                     (result.Started ? ", started" : ""));
            foreach (var disk in result.Disks)
                context.Output.WriteLine($"  {disk.Target}  {disk.Image}  ({disk.Files.Count} file{(disk.Files.Count == 1 ? "" : "s")}, {ByteSize.Format(disk.Bytes)})");
            return CommandRunner.Success;
        });
        return command;
    }
}
