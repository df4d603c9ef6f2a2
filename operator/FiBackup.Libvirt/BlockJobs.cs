using System.Xml.Linq;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

public sealed partial class Domain
{
    /// <summary>How often <see cref="WaitForBlockJobAsync"/> polls the job besides listening for its event.</summary>
    internal static TimeSpan BlockJobPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a job may be gone without its end event before the wait reports <see cref="BlockJobStatus.Vanished"/>.</summary>
    internal static TimeSpan BlockJobEventGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Starts committing <paramref name="topPath"/> (null: the disk's active image) into
    /// <paramref name="basePath"/> (null: the bottom of the chain). A commit of the active image
    /// needs <see cref="BlockCommitFlags.Active"/>, reaches <see cref="BlockJobStatus.Ready"/> and
    /// ends only when pivoted or aborted; a commit of an intermediate image ends by itself.
    /// </summary>
    public void BlockCommit(string disk, string? basePath, string? topPath, ulong bandwidthBytesPerSecond = 0,
        BlockCommitFlags flags = BlockCommitFlags.None)
    {
        var handle = Handle;
        ForgetBlockJobEvents(disk);
        LibvirtException.Check(NativeMethods.virDomainBlockCommit(handle, disk, basePath, topPath, (nuint)bandwidthBytesPerSecond,
            (uint)flags | NativeMethods.VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES), "virDomainBlockCommit");
    }

    /// <summary>Starts copying every backing image's data into the disk's active image; the chain below it is then dropped.</summary>
    public void BlockPull(string disk, ulong bandwidthBytesPerSecond = 0, BlockPullFlags flags = BlockPullFlags.None)
    {
        var handle = Handle;
        ForgetBlockJobEvents(disk);
        LibvirtException.Check(NativeMethods.virDomainBlockPull(handle, disk, (nuint)bandwidthBytesPerSecond,
            (uint)flags | NativeMethods.VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES), "virDomainBlockPull");
    }

    /// <summary>Starts pulling the data above <paramref name="basePath"/> into the active image, which then backs onto it (null: a full pull).</summary>
    public void BlockRebase(string disk, string? basePath, ulong bandwidthBytesPerSecond = 0, BlockRebaseFlags flags = BlockRebaseFlags.None)
    {
        var handle = Handle;
        ForgetBlockJobEvents(disk);
        LibvirtException.Check(NativeMethods.virDomainBlockRebase(handle, disk, basePath, (nuint)bandwidthBytesPerSecond,
            (uint)flags | NativeMethods.VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES), "virDomainBlockRebase");
    }

    /// <summary>The running job on the disk, or null when there is none; bandwidth in bytes/s.</summary>
    public BlockJobInfo? GetBlockJobInfo(string disk)
    {
        var result = LibvirtException.Check(NativeMethods.virDomainGetBlockJobInfo(Handle, disk, out var info,
            NativeMethods.VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES), "virDomainGetBlockJobInfo");
        return result == 0 ? null : new BlockJobInfo((BlockJobType)info.Type, info.Bandwidth, info.Cur, info.End);
    }

    /// <summary>
    /// Ends the disk's job. With <see cref="BlockJobAbortFlags.Pivot"/> a READY active commit or copy
    /// switches the disk to the job's destination (fails with <see cref="LibvirtErrorCode.BlockCopyActive"/>
    /// before READY). Without <see cref="BlockJobAbortFlags.Async"/> it returns once the job is gone.
    /// </summary>
    public void AbortBlockJob(string disk, BlockJobAbortFlags flags = BlockJobAbortFlags.None) =>
        LibvirtException.Check(NativeMethods.virDomainBlockJobAbort(Handle, disk, (uint)flags), "virDomainBlockJobAbort");

    /// <summary>Changes the running job's bandwidth limit; 0 means unlimited.</summary>
    public void SetBlockJobSpeed(string disk, ulong bandwidthBytesPerSecond) =>
        LibvirtException.Check(NativeMethods.virDomainBlockJobSetSpeed(Handle, disk, (nuint)bandwidthBytesPerSecond,
            NativeMethods.VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES), "virDomainBlockJobSetSpeed");

    /// <summary>
    /// Waits for the disk's block job to reach <paramref name="until"/>: returns at once with an
    /// event that already arrived since the job was started through this binding, otherwise at the
    /// next BLOCK_JOB event. Polls the job as a fallback: when it is gone and no end event came
    /// within a grace period, returns <see cref="BlockJobStatus.Vanished"/> (the job ended unseen,
    /// e.g. before this connection existed; inspect the live XML to learn the outcome).
    /// </summary>
    /// <param name="disk">The disk target (<c>vda</c>) or its active image path, as given to the job.</param>
    public async Task<BlockJobStatus> WaitForBlockJobAsync(string disk, BlockJobWait until, CancellationToken ct)
    {
        var events = Connection.BlockJobEvents;
        var id = Uuid;
        var target = IsPath(disk) ? events.TargetOf(id, disk) ?? TargetOf(disk) : disk;
        DateTime? goneSince = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(events.IsClosed, Connection);
            var changed = events.Changed; // taken before looking, so an event in between still wakes us
            var seen = (target is null ? null : events.Last(id, target)) ?? events.Last(id, disk);
            if (seen is { } e && (e.Status != BlockJobStatus.Ready || until == BlockJobWait.Ready))
                return e.Status;

            if (GetBlockJobInfo(target ?? disk) is null)
            {
                goneSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - goneSince >= BlockJobEventGrace) return BlockJobStatus.Vanished;
            }
            else
            {
                goneSince = null;
            }
            await Task.WhenAny(changed, Task.Delay(BlockJobPollInterval, ct)).ConfigureAwait(false);
        }
    }

    /// <summary>Drops remembered events of the disk under both of its names, so a wait sees only the new job.</summary>
    private void ForgetBlockJobEvents(string disk)
    {
        var events = Connection.BlockJobEvents;
        events.Forget(Uuid, disk);
        var other = IsPath(disk) ? TargetOf(disk) : ActiveImageOf(disk);
        if (other is null) return;
        events.Forget(Uuid, other);
        if (IsPath(disk)) events.RememberTarget(Uuid, disk, other);
    }

    private static bool IsPath(string disk) => disk.Contains('/');

    private IEnumerable<XElement> LiveDisks() =>
        XDocument.Parse(GetXml()).Root?.Element("devices")?.Elements("disk") ?? [];

    private string? TargetOf(string path) =>
        LiveDisks().FirstOrDefault(d => d.Element("source")?.Attribute("file")?.Value == path)
            ?.Element("target")?.Attribute("dev")?.Value;

    private string? ActiveImageOf(string target) =>
        LiveDisks().FirstOrDefault(d => d.Element("target")?.Attribute("dev")?.Value == target)
            ?.Element("source")?.Attribute("file")?.Value;
}

/// <summary>A running block job; bandwidth in bytes/s (0: unlimited); progress is <see cref="Current"/> of <see cref="End"/>.</summary>
public sealed record BlockJobInfo(BlockJobType Type, ulong Bandwidth, ulong Current, ulong End);

/// <summary>virDomainBlockJobType.</summary>
public enum BlockJobType
{
    Unknown = 0,
    Pull = 1,
    Copy = 2,
    Commit = 3,
    ActiveCommit = 4,
    Backup = 5,
}

/// <summary>How a block job ended, or that it is ready to pivot. The first four are libvirt's virConnectDomainEventBlockJobStatus.</summary>
public enum BlockJobStatus
{
    Completed = 0,
    Failed = 1,
    Canceled = 2,
    /// <summary>An active commit or copy has mirrored everything and waits for a pivot or an abort.</summary>
    Ready = 3,
    /// <summary>The job is gone and no event said how it ended.</summary>
    Vanished = 4,
}

public enum BlockJobWait
{
    /// <summary>Return at READY or at any end.</summary>
    Ready,

    /// <summary>Return only when the job has ended (completed, failed, canceled or vanished).</summary>
    Finished,
}

/// <summary>virDomainBlockCommitFlags (BANDWIDTH_BYTES is always passed by the binding).</summary>
[Flags]
public enum BlockCommitFlags : uint
{
    None = 0,
    /// <summary>Commit only into the image right below top.</summary>
    Shallow = 1 << 0,
    /// <summary>Delete the committed images once the job completes.</summary>
    Delete = 1 << 1,
    /// <summary>Allow committing the active image (needs a pivot to finish).</summary>
    Active = 1 << 2,
    /// <summary>Keep backing-file names relative where they were.</summary>
    Relative = 1 << 3,
}

/// <summary>virDomainBlockPullFlags (its only flag, BANDWIDTH_BYTES, is always passed by the binding).</summary>
[Flags]
public enum BlockPullFlags : uint
{
    None = 0,
}

/// <summary>virDomainBlockRebaseFlags (BANDWIDTH_BYTES is always passed by the binding).</summary>
[Flags]
public enum BlockRebaseFlags : uint
{
    None = 0,
    Shallow = 1 << 0,
    ReuseExternal = 1 << 1,
    CopyRaw = 1 << 2,
    Copy = 1 << 3,
    Relative = 1 << 4,
    CopyDev = 1 << 5,
}

/// <summary>virDomainBlockJobAbortFlags.</summary>
[Flags]
public enum BlockJobAbortFlags : uint
{
    None = 0,
    Async = 1 << 0,
    Pivot = 1 << 1,
}
