using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Tools;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>
/// The bitmap technique's Snapshot + Copy: one libvirt push backup job writes every disk into its
/// repository file's partial, creating the point's checkpoint at the instant it starts. Afterwards
/// an incremental's partial gets the previous repository file as its backing (relative, header
/// only: the job wrote exactly the clusters changed since the previous checkpoint) and is trimmed
/// to the parts of those clusters that changed (<see cref="DirtyBlockTrim"/>), then each file
/// is fsync'ed, hashed and renamed by <see cref="RepositoryFileWriter"/>. A failure stops the job,
/// deletes the partials and the checkpoint (libvirt merges its bitmap into the previous one, which
/// so still covers every write since the previous point).
/// </summary>
public sealed class PushBackupStep(IVmDomain domain, DomainLayout layout, JournalStore journals)
{
    public async Task<BackupJournal> RunAsync(BackupJournal journal, QuiesceMode quiesce, List<string> warnings,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        var checkpoint = journal.Point.Checkpoint ?? throw new InvalidDataException($"backup journal {journal.Name} names no checkpoint");
        var writers = journal.Disks.Select(d => new RepositoryFileWriter(layout.Resolve(d.RepositoryFile))).ToList();
        var targets = journal.Disks.Select((d, i) => new BackupTarget(d.Target, writers[i].BeginToolWrite(d.BytesToCopy ?? 0))).ToList();
        var begun = false;
        try
        {
            var from = journal.Point.Type == BackupType.Incremental
                ? journal.IncrementalFrom ?? throw new InvalidDataException($"incremental backup journal {journal.Name} names no checkpoint to continue from")
                : null;
            // The job copies the disks as they are at its start: the guest is frozen for that instant only.
            var quiesced = Freeze(quiesce, warnings);
            try
            {
                domain.BeginBackup(targets, checkpoint, from);
                begun = true;
            }
            finally
            {
                if (quiesced) Thaw(warnings);
            }
            journal = journal with { Step = BackupJournalStep.Snapshotted, Point = journal.Point with { Quiesced = quiesced } };
            await journals.WriteAsync(journal.Name, journal, ct);
            CrashPoint.Reached("after-begin");

            var total = journal.Disks.Sum(d => d.BytesToCopy ?? 0);
            var jobProgress = progress is null ? null : new InlineProgress<(long Done, long Total)>(p =>
                progress.Report(new BackupProgress(BackupStep.Copying, p.Done, p.Total > 0 ? p.Total : total)));
            await domain.WaitForBackupAsync(jobProgress, ct);
            CrashPoint.Reached("after-job");

            var disks = journal.Disks.ToList();
            for (var i = 0; i < disks.Count; i++)
            {
                var disk = disks[i];
                if (disk.RepositoryBacking is { } backing)
                {
                    await QemuImg.RebaseAsync(targets[i].File, backing, ct, unsafeHeaderOnly: true);
                    await DirtyBlockTrim.TrimAsync(targets[i].File, writers[i].Destination, backing, ct);
                }
                var result = await writers[i].CompleteToolWriteAsync(ct);
                disks[i] = disk with
                {
                    Copied = new RepositoryFile { Path = disk.RepositoryFile, Size = result.FileLength, Sha256 = result.Sha256, Backing = disk.RepositoryBacking },
                    BytesCopied = result.DataBytes,
                };
            }
            journal = journal with { Disks = disks, Step = BackupJournalStep.Copied };
            await journals.WriteAsync(journal.Name, journal, ct);
            CrashPoint.Reached("after-rename");
            return journal;
        }
        catch
        {
            await UndoAsync(journal, writers, begun);
            throw;
        }
    }

    /// <summary>Freezes the guest as the user asked: Preferred goes on crash-consistent with a warning, Required fails with nothing changed.</summary>
    private bool Freeze(QuiesceMode quiesce, List<string> warnings)
    {
        if (quiesce == QuiesceMode.Disabled) return false;
        try
        {
            domain.FreezeFilesystems();
            return true;
        }
        catch (QuiesceFailedException e) when (quiesce == QuiesceMode.Preferred)
        {
            warnings.Add(Quiescing.CrashConsistentWarning(e));
            return false;
        }
        catch (QuiesceFailedException e)
        {
            throw Quiescing.RequiredFailed(e);
        }
    }

    /// <summary>A guest left frozen stops its applications: a failed thaw is retried once, then reported loudly.</summary>
    private void Thaw(List<string> warnings)
    {
        try { domain.ThawFilesystems(); }
        catch (Exception first) when (first is not OperationCanceledException)
        {
            try { domain.ThawFilesystems(); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                warnings.Add($"could not thaw the guest's file systems after the backup job started ({e.Message}); they may still be frozen: run `virsh domfsthaw {domain.Name}`");
            }
        }
    }

    private async Task UndoAsync(BackupJournal journal, IReadOnlyList<RepositoryFileWriter> writers, bool begun)
    {
        // The caller's token may be the cancellation that failed the job: undo regardless.
        if (begun && domain.RunningBackupTargets() is not null) await domain.AbortBackupAsync(CancellationToken.None);
        foreach (var writer in writers) writer.Abandon();
        BackupRollback.DeletePointFiles(layout, journal);
        if (begun) domain.DeleteCheckpoint(journal.Point.Checkpoint!);
        journals.Delete(journal.Name);
    }
}
