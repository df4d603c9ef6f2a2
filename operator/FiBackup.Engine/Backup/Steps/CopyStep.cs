using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Tools;
using FiBackup.Engine.Verify;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>
/// Copies each frozen image into the repository. An incremental is the frozen overlay copied
/// byte for byte (sparse), its backing name rewritten in the same pass to the previous
/// repository file, relative. A full is the frozen image when it stands alone, or its whole
/// backing chain flattened (e.g. a template base under the disk) so the full needs nothing else.
/// </summary>
public sealed class CopyStep(IHostImages images, JournalStore journals, DomainLayout layout, TimeProvider time)
{
    public async Task<BackupJournal> RunAsync(BackupJournal journal, IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        var totals = await EstimateAsync(journal, ct);
        long doneBefore = 0;
        var total = totals.Values.Sum();
        var done = journal.Disks.ToDictionary(d => d.Target, _ => 0L);
        // Per disk, in plan order; the sums are the overall figures.
        List<DiskProgress> PerDisk() => journal.Disks.Select(d => new DiskProgress(d.Target, done[d.Target], totals[d.Target])).ToList();
        var disks = journal.Disks.ToList();
        for (var i = 0; i < disks.Count; i++)
        {
            var disk = disks[i];
            if (disk.Copied is null)
            {
                var diskProgress = new InlineProgress<CopyProgress>(p =>
                {
                    done[disk.Target] = Math.Min(p.BytesDone, totals[disk.Target]);
                    progress?.Report(new BackupProgress(BackupStep.Copying, doneBefore + done[disk.Target], total, disk.Target) { Disks = PerDisk() });
                    if (p.BytesDone > 0)
                    {
                        CrashPoint.Reached("during-copy");
                        FaultPoint.Reached("during-copy");
                    }
                });
                disks[i] = await CopyDiskAsync(journal, disk, diskProgress, ct);
                journal = journal with { Disks = disks.ToList() };
                await journals.WriteAsync(journal.Name, journal, ct);
            }
            doneBefore += totals[disk.Target];
            done[disk.Target] = totals[disk.Target];
            progress?.Report(new BackupProgress(BackupStep.Copying, doneBefore, total, disk.Target) { Disks = PerDisk() });
        }
        return journal;
    }

    private async Task<BackupJournalDisk> CopyDiskAsync(BackupJournal journal, BackupJournalDisk disk,
        IProgress<CopyProgress> progress, CancellationToken ct)
    {
        var destination = layout.Resolve(disk.RepositoryFile);
        var relativeName = disk.RepositoryFile;
        if (File.Exists(destination))
        {
            // Renamed into place before a crash, journal not updated yet: the rename only happens
            // after a complete, fsync'ed copy, so the file is whole; hash it again.
            var copied = await DescribeAsync(destination, relativeName, disk.RepositoryBacking, ct);
            return disk with { Copied = copied, BytesCopied = DataBytes.Of(destination) };
        }

        var options = new CopyOptions
        {
            BandwidthBytesPerSecond = journal.BandwidthBytesPerSecond,
            Progress = progress,
            Time = time,
            RewriteBacking = disk.RepositoryBacking is null ? null : new Qcow2BackingRewrite(disk.RepositoryBacking),
        };
        var flatten = journal.Point.Type == BackupType.Full
                      && (disk.Flatten ?? NeedsFlatten(await images.ReadChainAsync(disk.Frozen, ct)));
        var result = flatten
            ? await new RepositoryFileWriter(destination).WriteByToolAsync(
                disk.BytesToCopy ?? await BytesToReadAsync(images, journal, disk, ct),
                (partial, token) => images.FlattenIntoAsync(disk.Frozen, partial, token), ct)
            : await images.CopyIntoRepositoryAsync(disk.Frozen, destination, options, ct);
        return disk with
        {
            Copied = new RepositoryFile { Path = relativeName, Size = result.FileLength, Sha256 = result.Sha256, Backing = flatten ? null : disk.RepositoryBacking },
            BytesCopied = result.DataBytes,
        };
    }

    private static async Task<RepositoryFile> DescribeAsync(string path, string relativeName, string? backing, CancellationToken ct)
    {
        var digest = await FileDigest.OfFileAsync(path, ct);
        return new RepositoryFile { Path = relativeName, Size = digest.Size, Sha256 = digest.Sha256, Backing = backing };
    }

    /// <summary>Bytes each disk will copy, for progress.</summary>
    private async Task<Dictionary<string, long>> EstimateAsync(BackupJournal journal, CancellationToken ct)
    {
        var totals = new Dictionary<string, long>();
        foreach (var disk in journal.Disks)
            totals[disk.Target] = disk.Copied?.Size ?? disk.BytesToCopy ?? await BytesToReadAsync(images, journal, disk, ct);
        return totals;
    }

    /// <summary>The allocated size of what the copy of one disk reads: the frozen overlay, or the whole chain for a full.</summary>
    public static async Task<long> BytesToReadAsync(IHostImages images, BackupJournal journal, BackupJournalDisk disk, CancellationToken ct) =>
        BytesToRead(journal.Point.Type, await images.ReadChainAsync(disk.Frozen, ct));

    /// <summary>What the copy of a disk whose chain is <paramref name="chain"/> reads (allocated bytes).</summary>
    public static long BytesToRead(BackupType type, IReadOnlyList<ChainImage> chain) =>
        type == BackupType.Incremental ? chain[0].ActualSize : chain.Sum(c => c.ActualSize);

    /// <summary>A full of a disk with a backing chain (or a raw image) is flattened: the host reads through the chain.</summary>
    public static bool NeedsFlatten(IReadOnlyList<ChainImage> chain) => !(chain.Count == 1 && chain[0].Format == "qcow2");
}
