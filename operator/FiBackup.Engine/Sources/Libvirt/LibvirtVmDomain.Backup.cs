using System.Xml.Linq;
using FiBackup.Engine.Errors;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// The dirty-bitmap technique over libvirt's backup API: a push-mode backup job whose checkpoint
/// is created atomically with it (virDomainBackupBegin's checkpointXML), completion by polling
/// virDomainGetJobStats (libvirt 9.0 keeps the ended job's stats for a COMPLETED query).
/// </summary>
public sealed partial class LibvirtVmDomain
{
    private static readonly TimeSpan JobPoll = TimeSpan.FromMilliseconds(200);

    public void BeginBackup(IReadOnlyList<BackupTarget> targets, string checkpoint, string? incrementalFrom)
    {
        var listed = targets.Select(t => t.Target).ToHashSet();
        var others = ReadDisks().Select(d => d.Target).Where(t => !listed.Contains(t)).ToList();
        var backup = new PushBackup(targets.ToDictionary(t => t.Target, t => t.File), others, incrementalFrom).ToXml();
        var checkpointXml = new CheckpointDefinition(checkpoint, listed, others).ToXml();
        try
        {
            domain.BeginBackup(backup, checkpointXml);
        }
        catch (LibvirtException e) when (incrementalFrom is not null && IsBitmapFailure(e))
        {
            throw new BitmapUnusableException(
                $"libvirt refused the incremental backup of domain {Name} from checkpoint {incrementalFrom}: {e.LibvirtMessage}", e);
        }
        catch (LibvirtException e)
        {
            var wrapped = EngineBoundary.FromLibvirt(e, $"backup job of domain {Name}");
            throw new FibackupException(wrapped.Reason == ErrorReason.LibvirtError ? ErrorReason.CopyFailed : wrapped.Reason,
                $"libvirt could not start the backup job of domain {Name}, nothing was changed: {e.LibvirtMessage}", wrapped.Field, e);
        }
    }

    /// <summary>
    /// A missing checkpoint is NO_DOMAIN_CHECKPOINT; a checkpoint whose bitmap is gone from an image
    /// or marked inconsistent is CHECKPOINT_INCONSISTENT, or an error naming the bitmap
    /// (qemu_backup.c, qemuBackupDiskPrepareOneBitmapsChain: "missing or broken bitmap").
    /// </summary>
    private static bool IsBitmapFailure(LibvirtException e) =>
        e.Code is LibvirtErrorCode.NoDomainCheckpoint or LibvirtErrorCode.CheckpointInconsistent
        || e.LibvirtMessage.Contains("bitmap", StringComparison.OrdinalIgnoreCase)
        || e.LibvirtMessage.Contains("checkpoint", StringComparison.OrdinalIgnoreCase);

    public async Task WaitForBackupAsync(IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        while (true)
        {
            var running = domain.GetJobStats();
            if (running.Type is DomainJobType.None) break;
            if (running.DataTotal is { } total)
                progress?.Report(((long)(running.DataProcessed ?? 0), (long)total));
            await Task.Delay(JobPoll, ct);
        }
        var ended = domain.GetJobStats(completed: true);
        if (ended.Type == DomainJobType.Completed)
        {
            if (ended.DataTotal is { } total) progress?.Report(((long)total, (long)total));
            return;
        }
        var why = ended.Type == DomainJobType.None ? "libvirt kept no record of how it ended" : ended.Type.ToString().ToLowerInvariant();
        throw new FibackupException(ErrorReason.CopyFailed,
            $"the backup job of domain {Name} did not complete ({why}{(ended.ErrorMessage is { } m ? ": " + m : "")})");
    }

    public IReadOnlyList<string>? RunningBackupTargets()
    {
        if (!domain.IsActive) return null;
        var xml = domain.GetBackupXml();
        if (xml is null) return null;
        return XDocument.Parse(xml).Descendants("disk").Elements("target")
            .Select(t => (string?)t.Attribute("file")).OfType<string>().ToList();
    }

    public async Task AbortBackupAsync(CancellationToken ct)
    {
        try
        {
            domain.AbortJob();
        }
        catch (LibvirtException e) when (e.Code == LibvirtErrorCode.OperationInvalid)
        {
            // "no job is active on the domain": it ended between the check and the abort.
        }
        while (RunningBackupTargets() is not null) await Task.Delay(JobPoll, ct);
    }

    public void FreezeFilesystems()
    {
        try { domain.FreezeFilesystems(); }
        catch (LibvirtException e) when (IsGuestAgentFailure(e))
        {
            throw new QuiesceFailedException(e.LibvirtMessage, e);
        }
    }

    public void ThawFilesystems() => domain.ThawFilesystems();

    public IReadOnlyList<string> CheckpointNames()
    {
        var checkpoints = domain.ListCheckpoints();
        try
        {
            return checkpoints.Select(c => c.Name).ToList();
        }
        finally
        {
            foreach (var checkpoint in checkpoints) checkpoint.Dispose();
        }
    }

    public bool DeleteCheckpoint(string name)
    {
        using var checkpoint = domain.FindCheckpoint(name);
        if (checkpoint is null) return false;
        checkpoint.Delete();
        return true;
    }
}
