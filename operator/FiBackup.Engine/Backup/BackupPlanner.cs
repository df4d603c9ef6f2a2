using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup;

/// <summary>
/// Decides what a backup will do before anything is touched: which disks, full or incremental,
/// the restore point id, the overlay names and the repository files. The result is the journal
/// record in its Planned state.
/// </summary>
public sealed class BackupPlanner(TimeProvider time)
{
    /// <param name="fullBecause">
    /// Set when a first attempt found the previous point's bitmap unusable only when libvirt was asked
    /// for the incremental: this plan is then a full, with that reason as its warning.
    /// </param>
    public async Task<BackupJournal> PlanAsync(IHostImages images, IVmDomain domain, DomainLayout layout, BackupRequest request,
        List<string> warnings, CancellationToken ct, string? fullBecause = null)
    {
        var disks = domain.ReadDisks();
        var backedUp = disks.Where(d => d.IsBackedUp).ToList();
        foreach (var skipped in disks.Where(d => !d.IsBackedUp && d.Device == "disk"))
            warnings.Add($"disk {skipped.Target} is not backed up ({WhySkipped(skipped)})");
        if (backedUp.Count == 0)
            throw new InvalidInputException($"domain {domain.Name} has no disk that can be backed up (only media, read-only, shareable or snapshot='no' disks)", EngineField.Domain);

        var chains = new Dictionary<string, IReadOnlyList<ChainImage>>();
        foreach (var disk in backedUp)
        {
            chains[disk.Target] = await images.ReadChainAsync(disk.ActivePath!, ct);
            // The copy reads the qcow2 file itself: the guest data in an external data file would be missing.
            if (chains[disk.Target].FirstOrDefault(image => image.DataFile is not null) is { } split)
                throw new InvalidInputException(
                    $"disk {disk.Target} of domain {domain.Name}: image {split.Path} keeps its guest data in the external data file {split.DataFile}, which fibackup cannot back up; nothing was changed (convert the image into a self-contained qcow2 with qemu-img convert, or exclude the disk with snapshot='no')",
                    EngineField.Domain);
        }

        var technique = BitmapTechnique.Choose(request.Technique, domain, images, backedUp, chains, warnings);
        var checkpoints = technique == BackupTechnique.Bitmap ? domain.CheckpointNames() : [];

        var manifests = new ManifestStore(layout).List();
        var previous = manifests.Count == 0 ? null : manifests[^1];
        var incrementalBlocker = previous is null
            ? "the repository has no restore point of this domain yet"
            : fullBecause ?? WhyNotIncremental(domain, previous, backedUp, chains, technique, checkpoints);
        var type = request.Mode switch
        {
            BackupMode.Full => BackupType.Full,
            BackupMode.Incremental when incrementalBlocker is not null => throw new InvalidInputException(
                $"an incremental backup cannot continue the chain of domain {domain.Name}: {incrementalBlocker}; use mode auto or full", EngineField.Mode),
            BackupMode.Incremental => BackupType.Incremental,
            _ => incrementalBlocker is null ? BackupType.Incremental : BackupType.Full,
        };
        if (request.Mode == BackupMode.Auto && type == BackupType.Full && previous is not null)
            warnings.Add($"taking a full backup: {incrementalBlocker}");

        // A point id whose overlay names are already in a live chain (this domain backed up into another
        // repository within the same second) would name the new overlay after the active image itself.
        // A bitmap point creates no overlay, but its checkpoint name must be free (the domain backed
        // up into another repository within the same second).
        bool InLiveChain(RestorePointId id) => technique == BackupTechnique.Bitmap
            ? checkpoints.Contains(BitmapTechnique.CheckpointName(id))
            : backedUp.Any(d => chains[d.Target].Any(image => image.Path == OverlayName.For(chains[d.Target], id, images, request.OverlayDirectory)));
        var point = await NextPointIdAsync(previous, InLiveChain, ct);
        var chain = type == BackupType.Full ? point.ToString() : previous!.Chain;
        var sequence = type == BackupType.Full ? 0 : previous!.Sequence + 1;
        var journalDisks = new List<BackupJournalDisk>();
        foreach (var disk in backedUp)
        {
            // The bitmap technique leaves the domain on the image it runs on: that is the "overlay" the next incremental continues from.
            var overlay = technique == BackupTechnique.Bitmap ? disk.ActivePath! : OverlayName.For(chains[disk.Target], point, images, request.OverlayDirectory);
            if (technique == BackupTechnique.Snapshot && await images.ExistsAsync(overlay, ct))
                throw new FibackupException(ErrorReason.FileConflict, $"overlay {overlay} already exists and is not part of disk {disk.Target}'s chain; move it away (fibackup never overwrites a file)");
            var folder = DomainLayout.RelativeChainDiskFolder(chain, disk.Target);
            var previousFiles = type == BackupType.Full ? [] : previous!.Disks.Single(d => d.Target == disk.Target).Files;
            journalDisks.Add(new BackupJournalDisk
            {
                Manifest = new DiskManifest
                {
                    Target = disk.Target,
                    Source = disk.ActivePath!,
                    VirtualSize = chains[disk.Target][0].VirtualSize,
                    // This point's own file, its bytes and length are added by the copy.
                    Files = previousFiles,
                    Bytes = 0,
                    LiveOverlay = overlay,
                },
                RepositoryFile = Path.Combine(folder, DomainLayout.ChainFileName(sequence, point)),
                RepositoryBacking = previousFiles.Count == 0 ? null : Path.GetFileName(previousFiles[^1].Path),
                // The active image now is the frozen image after the snapshot, and the chain below it does
                // not change: what the copy reads is known here, without asking the host again.
                BytesToCopy = technique == BackupTechnique.Bitmap
                    ? BitmapTechnique.BytesToCopy(type, chains[disk.Target])
                    : Steps.CopyStep.BytesToRead(type, chains[disk.Target]),
                Flatten = type == BackupType.Full && technique == BackupTechnique.Snapshot ? Steps.CopyStep.NeedsFlatten(chains[disk.Target]) : null,
            });
        }

        return new BackupJournal
        {
            Point = new RestorePointManifest
            {
                Id = point.ToString(),
                Domain = domain.Name,
                DomainUuid = domain.Uuid.ToString(),
                Host = layout.Host,
                Time = point.Time,
                Type = type,
                Chain = chain,
                Sequence = sequence,
                Disks = [],
                DomainXml = domain.GetInactiveXml(),
                Offline = !domain.IsRunning,
                IdempotencyKey = request.IdempotencyKey,
                Technique = technique == BackupTechnique.Bitmap ? BackupTechnique.Bitmap : null,
                Checkpoint = technique == BackupTechnique.Bitmap ? BitmapTechnique.CheckpointName(point) : null,
            },
            Step = BackupJournalStep.Planned,
            Disks = journalDisks,
            Consolidation = request.Consolidation,
            AllowBaseWrite = request.AllowBaseWrite,
            BandwidthBytesPerSecond = request.BandwidthBytesPerSecond,
            Started = time.GetUtcNow(),
            IncrementalFrom = technique == BackupTechnique.Bitmap && type == BackupType.Incremental ? previous!.Checkpoint : null,
        };
    }

    /// <summary>
    /// An incremental continues the previous point's chain only if the domain still runs on the
    /// overlays that point left (so the image about to be frozen holds exactly the writes since then).
    /// </summary>
    private static string? WhyNotIncremental(IVmDomain domain, RestorePointManifest previous,
        IReadOnlyList<DomainDisk> disks, IReadOnlyDictionary<string, IReadOnlyList<ChainImage>> chains,
        BackupTechnique technique, IReadOnlyList<string> checkpoints)
    {
        if (previous.DomainUuid is { } uuid && !string.Equals(uuid, domain.Uuid.ToString(), StringComparison.OrdinalIgnoreCase))
            return $"the last restore point belongs to another domain with the same name (uuid {uuid})";
        var before = previous.Disks.Select(d => d.Target).Order(StringComparer.Ordinal);
        var now = disks.Select(d => d.Target).Order(StringComparer.Ordinal);
        if (!before.SequenceEqual(now))
            return $"the disks changed since restore point {previous.Id} ({string.Join(",", before)} -> {string.Join(",", now)})";
        // A snapshot incremental copies the whole active image, right only when that is the overlay the
        // previous snapshot created; a bitmap incremental needs the previous point's checkpoint.
        if (previous.TechniqueOrDefault != technique)
            return $"restore point {previous.Id} was taken with the {Lower(previous.TechniqueOrDefault)} technique and this backup uses the {Lower(technique)} technique";
        if (technique == BackupTechnique.Bitmap && (previous.Checkpoint is null || !checkpoints.Contains(previous.Checkpoint)))
            return $"checkpoint {previous.Checkpoint} of restore point {previous.Id} no longer exists in libvirt (deleted, or the domain was redefined), so the writes since then are unknown";
        foreach (var disk in disks)
        {
            var last = previous.Disks.Single(d => d.Target == disk.Target);
            if (technique == BackupTechnique.Bitmap && last.LiveOverlay != disk.ActivePath)
                return $"disk {disk.Target} now uses {disk.ActivePath}, not {last.LiveOverlay} as at restore point {previous.Id} (disk replaced), so its bitmap does not describe it";
            if (last.LiveOverlay != disk.ActivePath)
                return $"disk {disk.Target} no longer runs on the overlay restore point {previous.Id} left ({last.LiveOverlay} -> {disk.ActivePath}), e.g. after a manual consolidation";
            if (last.VirtualSize != chains[disk.Target][0].VirtualSize)
                return $"disk {disk.Target} was resized since restore point {previous.Id}";
        }
        return null;
    }

    /// <summary>
    /// Now, to the second; a run in the same second as the previous point, or as an overlay still in
    /// the live chain, waits for the next one.
    /// </summary>
    private async Task<RestorePointId> NextPointIdAsync(RestorePointManifest? previous, Func<RestorePointId, bool> inLiveChain, CancellationToken ct)
    {
        while (true)
        {
            var now = new RestorePointId(time.GetUtcNow());
            var taken = (previous is not null && now <= previous.PointId) || inLiveChain(now);
            if (!taken) return now;
            var wait = (previous is not null && now <= previous.PointId ? previous.PointId : now).NextSecond().Time - time.GetUtcNow();
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(50), time, ct);
        }
    }

    private static string Lower(BackupTechnique technique) => technique.ToString().ToLowerInvariant();

    private static string WhySkipped(DomainDisk disk) => disk switch
    {
        { SnapshotMode: "no" } => "snapshot='no'",
        { ReadOnly: true } => "read-only",
        { Shareable: true } => "shareable",
        { ActivePath: null } => "no source (empty drive)",
        _ => $"source type '{disk.SourceType}' is not supported",
    };
}
