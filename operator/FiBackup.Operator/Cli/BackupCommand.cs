using FiBackup.Engine;
using System.CommandLine;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources.Libvirt;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup backup`: one forward-incremental backup of one domain into a repository.</summary>
public static class BackupCommand
{
    public static Command Create()
    {
        var connect = CliOptions.Connect();
        var domain = CliOptions.Domain();
        var repository = CliOptions.Repository();
        var mode = CliOptions.Choice("--mode", "Full starts a new chain; incremental continues the last one; auto decides", "auto", "auto", "full", "incremental");
        var consolidate = CliOptions.Choice("--consolidate", "How to keep the live chain short after the copy", "commit", "none", "commit", "pull");
        var quiesce = CliOptions.Choice("--quiesce", "Freeze guest filesystems through the guest agent", "disabled", "disabled", "preferred", "required");
        var technique = CliOptions.Choice("--technique",
            "How the point is taken: snapshot (external snapshot, copy, consolidate) or bitmap (libvirt backup job with a checkpoint; running domain, local connection, qcow2 disks)",
            "snapshot", "snapshot", "bitmap");
        var bandwidth = new Option<string>("--bandwidth") { Description = "Limit for the copy and block jobs, bytes per second (e.g. 50MiB)" };
        var overlayDirectory = new Option<string>("--overlay-dir")
        {
            Description = "Directory for the overlays of block-device disks and of images in directories fibackup may not write (default /var/lib/libvirt/images/fibackup-overlays); other overlays go beside the image",
        };
        var allowBaseWrite = new Option<bool>("--allow-base-write") { Description = "Allow committing into the original base image (never done otherwise)" };
        var idempotencyKey = new Option<string>("--idempotency-key")
        {
            Description = "Makes a retry safe: when a restore point with this key exists, report it instead of taking another",
        };

        var command = new Command("backup", "Back up a domain: snapshot, copy what changed since the last run, consolidate")
        {
            connect, domain, repository, mode, technique, consolidate, quiesce, bandwidth, overlayDirectory, allowBaseWrite, idempotencyKey,
        };
        command.SetAsyncAction(async (parse, context) =>
        {
            var request = new BackupRequest
            {
                Domain = parse.GetValue(domain)!,
                RepositoryRoot = parse.GetValue(repository)!,
                Mode = CliOptions.ParseEnum<BackupMode>("--mode", parse.GetValue(mode)!),
                Consolidation = CliOptions.ParseEnum<ConsolidationMethod>("--consolidate", parse.GetValue(consolidate)!),
                Quiesce = CliOptions.ParseEnum<QuiesceMode>("--quiesce", parse.GetValue(quiesce)!),
                Technique = CliOptions.ParseEnum<BackupTechnique>("--technique", parse.GetValue(technique)!),
                BandwidthBytesPerSecond = parse.GetValue(bandwidth) is { } limit ? CliOptions.ParseSize("--bandwidth", limit) : null,
                AllowBaseWrite = parse.GetValue(allowBaseWrite),
                OverlayDirectory = parse.GetValue(overlayDirectory) is { } dir ? Path.GetFullPath(dir) : null,
                IdempotencyKey = parse.GetValue(idempotencyKey),
            };
            using var source = LibvirtVmSource.Connect(parse.GetValue(connect)!);
            BackupResult result;
            using (var progress = TerminalProgress.ForConsole(context.Error))
                result = await new BackupRunner(TimeProvider.System, new FileDomainLocks()).RunAsync(source, request, progress, context.CancellationToken);

            foreach (var warning in result.Warnings) context.Error.WriteLine($"fibackup: warning: {warning}");
            if (result.RecoveredInterruptedRun is { } recovered) context.Error.WriteLine($"fibackup: note: {recovered}");
            var type = result.Type.ToString().ToLowerInvariant();
            var how = result.Outcome switch
            {
                BackupOutcome.AlreadyDone => ", already taken for this idempotency key (nothing done)",
                BackupOutcome.FinishedInterrupted => ", finished from an interrupted run of this idempotency key",
                _ when result.Technique == BackupTechnique.Bitmap => ", bitmap technique (no snapshot: the live chain did not change)",
                _ => $", snapshot {result.SnapshotDuration.TotalMilliseconds:0} ms",
            };
            context.Output.WriteLine($"{request.Domain}: {type} restore point {result.PointId} (chain {result.Chain}){(result.Quiesced ? ", quiesced" : "")}{how}");
            foreach (var disk in result.Disks)
                context.Output.WriteLine($"  {disk.Target}  {disk.Source} -> {disk.Files[^1]}  {ByteSize.Format(disk.Bytes)} stored (file {ByteSize.Format(disk.FileLength)})");
            return CommandRunner.Success;
        });
        return command;
    }
}
