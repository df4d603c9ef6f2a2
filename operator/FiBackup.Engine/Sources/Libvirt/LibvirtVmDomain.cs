using FiBackup.Engine.Diagnostics;
using FiBackup.Engine.Errors;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// A libvirt domain driven through the technique of DESIGN §1: external disk-only snapshots
/// without metadata, block commit / pull with completion from BLOCK_JOB_2 events.
/// </summary>
public sealed partial class LibvirtVmDomain(Domain domain, IHostImages images) : IVmDomain
{
    public string Name => domain.Name;
    public Guid Uuid => domain.Uuid;
    public bool IsRunning => domain.IsActive;

    public string GetInactiveXml() => domain.GetXml(DomainXmlFlags.Inactive | DomainXmlFlags.Secure);

    public IReadOnlyList<DomainDisk> ReadDisks() =>
        DomainXmlDisks.Read(IsRunning ? domain.GetXml() : domain.GetXml(DomainXmlFlags.Inactive));

    public async Task<TimeSpan> SnapshotAsync(IReadOnlyList<OverlayRequest> overlays, bool quiesce, CancellationToken ct)
    {
        var disks = ReadDisks().ToDictionary(d => d.Target);
        var planned = overlays.Select(o => o.Target).ToHashSet();
        var others = disks.Keys.Where(t => !planned.Contains(t));
        // An overlay directory for block devices may not exist yet; QEMU (another user) must traverse it.
        // Only a local host has one: remote overlays lie beside their images, in directories that exist there.
        foreach (var folder in overlays.Select(o => Path.GetDirectoryName(o.OverlayPath)).OfType<string>().Distinct())
        {
            if (!images.IsLocal || Directory.Exists(folder) || OperatingSystem.IsWindows()) continue;
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var made = await MakeOverlaysAsync(overlays, disks, ct);
        CrashPoint.Reached("after-overlays");
        var xml = new ExternalSnapshot($"fibackup-{Guid.NewGuid():N}",
            overlays.ToDictionary(o => o.Target, o => o.OverlayPath), others.ToList()).ToXml();
        var flags = SnapshotCreateFlags.DiskOnly | SnapshotCreateFlags.NoMetadata | SnapshotCreateFlags.Atomic;
        if (made.Count > 0) flags |= SnapshotCreateFlags.ReuseExternal;
        if (quiesce) flags |= SnapshotCreateFlags.Quiesce;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            domain.CreateSnapshot(xml, flags);
        }
        catch (LibvirtException e)
        {
            // The snapshot is atomic: it failed as a whole and no disk runs on the overlays made for it.
            await DeleteUnusedAsync(made);
            if (quiesce && IsGuestAgentFailure(e)) throw new QuiesceFailedException(e.LibvirtMessage, e);
            var wrapped = EngineBoundary.FromLibvirt(e, $"snapshot of domain {Name}");
            // A lost connection or a busy domain says more than "snapshot failed"; otherwise it is the snapshot that failed.
            var reason = wrapped.Reason == ErrorReason.LibvirtError ? ErrorReason.SnapshotFailed : wrapped.Reason;
            throw new FibackupException(reason, $"snapshot of domain {Name} failed, nothing was changed: {e.LibvirtMessage}", wrapped.Field, e);
        }
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Makes every planned overlay on the host before the snapshot (<see cref="IHostImages.CreateOverlayAsync"/>),
    /// all or none: the snapshot either reuses them all or lets libvirt make them all. Returns those made.
    /// </summary>
    private async Task<IReadOnlyList<string>> MakeOverlaysAsync(IReadOnlyList<OverlayRequest> overlays,
        IReadOnlyDictionary<string, DomainDisk> disks, CancellationToken ct)
    {
        var made = new List<string>();
        try
        {
            foreach (var overlay in overlays)
            {
                var disk = disks.GetValueOrDefault(overlay.Target)
                           ?? throw new FibackupException(ErrorReason.SnapshotFailed, $"domain {Name} has no disk {overlay.Target} any more; nothing was changed");
                if (disk.ActivePath is null || disk.Format is null
                    || !await images.CreateOverlayAsync(overlay.OverlayPath, disk.ActivePath, disk.Format, ct))
                {
                    await DeleteUnusedAsync(made);
                    return [];
                }
                made.Add(overlay.OverlayPath);
            }
            return made;
        }
        catch (Exception e)
        {
            await DeleteUnusedAsync(made);
            if (e is OperationCanceledException or FibackupException) throw;
            var detail = e is Tools.ExternalToolException tool ? tool.StandardError.Trim() : e.Message;
            throw new FibackupException(ErrorReason.SnapshotFailed, $"snapshot of domain {Name} failed, nothing was changed: could not make its overlay: {detail}", inner: e);
        }
    }

    /// <summary>Deletes overlays this run made for a snapshot that did not happen, unless a disk runs on one after all.</summary>
    private async Task DeleteUnusedAsync(IReadOnlyList<string> made)
    {
        if (made.Count == 0) return;
        var active = ReadDisks().Select(d => d.ActivePath).ToHashSet();
        foreach (var overlay in made.Where(o => !active.Contains(o)))
            await images.DeleteOverlayAsync(overlay, CancellationToken.None);
    }

    /// <summary>
    /// Whether a quiesced snapshot failed because the guest could not be quiesced, rather than for
    /// a reason of its own (an unusable overlay path, a busy domain, a lost connection), which must
    /// keep its own reason and message. libvirt (qemuDomainAgentAvailable, qemu_agent.c) reports a
    /// missing agent channel as ARGUMENT_UNSUPPORTED "QEMU guest agent is not configured", an agent
    /// that is not connected or does not answer as AGENT_UNRESPONSIVE, a desynchronised one as
    /// AGENT_UNSYNCED, and an fsfreeze the guest refuses as an error naming the agent command.
    /// </summary>
    private static bool IsGuestAgentFailure(LibvirtException e) => e.Code switch
    {
        LibvirtErrorCode.AgentUnresponsive or LibvirtErrorCode.AgentUnsynced => true,
        LibvirtErrorCode.ArgumentUnsupported or LibvirtErrorCode.OperationUnsupported or LibvirtErrorCode.OperationInvalid
            or LibvirtErrorCode.OperationFailed or LibvirtErrorCode.InternalError
            => e.LibvirtMessage.Contains("agent", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public async Task CommitAsync(string target, string top, string baseImage, long bandwidthBytesPerSecond, CancellationToken ct)
    {
        domain.BlockCommit(target, baseImage, top, (ulong)Math.Max(0, bandwidthBytesPerSecond));
        CrashPoint.Reached("during-consolidate");
        var status = await domain.WaitForBlockJobAsync(target, BlockJobWait.Finished, ct);
        EnsureFinished(status, target, $"commit of {top} into {baseImage}");
    }

    public async Task ActiveCommitAsync(string target, string baseImage, long bandwidthBytesPerSecond, CancellationToken ct)
    {
        domain.BlockCommit(target, baseImage, null, (ulong)Math.Max(0, bandwidthBytesPerSecond), BlockCommitFlags.Active);
        CrashPoint.Reached("during-consolidate");
        var status = await domain.WaitForBlockJobAsync(target, BlockJobWait.Ready, ct);
        if (status != BlockJobStatus.Ready)
            EnsureFinished(status, target, $"active commit into {baseImage}");
        await PivotAsync(target, ct);
    }

    public async Task PullAsync(string target, string baseImage, long bandwidthBytesPerSecond, CancellationToken ct)
    {
        domain.BlockRebase(target, baseImage, (ulong)Math.Max(0, bandwidthBytesPerSecond));
        CrashPoint.Reached("during-consolidate");
        var status = await domain.WaitForBlockJobAsync(target, BlockJobWait.Finished, ct);
        EnsureFinished(status, target, $"pull into the active image down to {baseImage}");
    }

    public DiskJobKind? ActiveBlockJob(string target) => domain.GetBlockJobInfo(target)?.Type switch
    {
        null => null,
        BlockJobType.Pull => DiskJobKind.Pull,
        BlockJobType.Copy => DiskJobKind.Copy,
        BlockJobType.Commit => DiskJobKind.Commit,
        BlockJobType.ActiveCommit => DiskJobKind.ActiveCommit,
        BlockJobType.Backup => DiskJobKind.Backup,
        _ => DiskJobKind.Unknown,
    };

    public async Task<bool> SettleBlockJobAsync(string target, CancellationToken ct)
    {
        var job = domain.GetBlockJobInfo(target);
        if (job is null) return false;
        if (job.Type == BlockJobType.ActiveCommit)
        {
            // An active commit never ends by itself: the interrupted run meant to pivot onto the base.
            while (domain.GetBlockJobInfo(target) is { } info && (info.End == 0 || info.Current != info.End))
                await Task.Delay(200, ct);
            await PivotAsync(target, ct);
            return true;
        }
        var status = await domain.WaitForBlockJobAsync(target, BlockJobWait.Finished, ct);
        EnsureFinished(status, target, $"block job left by an interrupted run ({job.Type})");
        return true;
    }

    public void RedefineDiskSource(string target, string imagePath, string format)
    {
        if (IsRunning)
            throw new InvalidOperationException($"domain {Name} is running; its disk sources change through block jobs only");
        var xml = DomainXmlDisks.WithDiskSource(domain.GetXml(DomainXmlFlags.Inactive | DomainXmlFlags.Secure), target, imagePath, format,
            blockDevice: images.IsBlockDevice(imagePath));
        using var _ = domain.Connection.DefineDomain(xml);
    }

    public void Start(bool paused = false) => domain.Start(paused);

    public void Undefine(bool removeNvram) =>
        domain.Undefine(removeNvram ? DomainUndefineFlags.Nvram : DomainUndefineFlags.KeepNvram);

    public void Dispose() => domain.Dispose();

    /// <summary>libvirt refuses a pivot until the mirror is ready (BLOCK_COPY_ACTIVE); retry briefly.</summary>
    private async Task PivotAsync(string target, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                domain.AbortBlockJob(target, BlockJobAbortFlags.Pivot);
                break;
            }
            catch (LibvirtException e) when (e.Code == LibvirtErrorCode.BlockCopyActive && attempt < 50)
            {
                await Task.Delay(100, ct);
            }
        }
        var status = await domain.WaitForBlockJobAsync(target, BlockJobWait.Finished, ct);
        EnsureFinished(status, target, "pivot");
    }

    private void EnsureFinished(BlockJobStatus status, string target, string what)
    {
        // Vanished: the job ended while no event reached us (e.g. before we subscribed); the caller
        // reads the chain afterwards and only deletes what is no longer in it.
        if (status is BlockJobStatus.Completed or BlockJobStatus.Vanished) return;
        throw new FibackupException(ErrorReason.ConsolidationFailed, $"{what} on disk {target} of domain {Name} ended {status.ToString().ToLowerInvariant()}; the domain still runs on its previous, valid chain");
    }
}
