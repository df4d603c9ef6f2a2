using System.Runtime.InteropServices;
using System.Text;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>
/// The last block-job event libvirt delivered per (domain, disk) on one connection. A job may end
/// before anyone waits for it, so waiters look here first; starting a new job forgets the disk's
/// previous event. Events arrive on the event-loop thread.
/// </summary>
internal sealed class BlockJobEventStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<(Guid Domain, string Disk), BlockJobEvent> last = [];
    private readonly Dictionary<(Guid Domain, string Path), string> targetsByPath = [];
    private TaskCompletionSource changed = NewSignal();

    /// <summary>Completes at the next event (and when the connection closes).</summary>
    internal Task Changed
    {
        get { lock (gate) return changed.Task; }
    }

    internal bool IsClosed { get; private set; }

    internal void Record(Guid domain, string disk, BlockJobType type, BlockJobStatus status)
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            last[(domain, disk)] = new BlockJobEvent(type, status);
            signal = changed;
            changed = NewSignal();
        }
        signal.TrySetResult();
    }

    internal BlockJobEvent? Last(Guid domain, string disk)
    {
        lock (gate) return last.TryGetValue((domain, disk), out var e) ? e : null;
    }

    internal void Forget(Guid domain, string disk)
    {
        lock (gate) last.Remove((domain, disk));
    }

    /// <summary>
    /// Remembers which target a job started by image path runs on: libvirt reports the end of an
    /// active commit under the base's path (the disk's path after the pivot), so a later wait by
    /// the top's path can only find the event under the target.
    /// </summary>
    internal void RememberTarget(Guid domain, string path, string target)
    {
        lock (gate) targetsByPath[(domain, path)] = target;
    }

    internal string? TargetOf(Guid domain, string path)
    {
        lock (gate) return targetsByPath.GetValueOrDefault((domain, path));
    }

    internal void Close()
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            IsClosed = true;
            signal = changed;
        }
        signal.TrySetResult();
    }

    // Continuations must not run on libvirt's event-loop thread: a waiter that called back into
    // libvirt from there would stall every event of the process.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>virConnectDomainEventBlockJobCallback for BLOCK_JOB (disk = path) and BLOCK_JOB_2 (disk = target).</summary>
    [UnmanagedCallersOnly]
    internal static unsafe void OnBlockJobEvent(nint connection, nint domain, byte* disk, int type, int status, nint opaque)
    {
        try
        {
            if (GCHandle.FromIntPtr(opaque).Target is not BlockJobEventStore store || disk is null) return;
            var uuid = stackalloc byte[37];
            if (NativeMethods.virDomainGetUUIDString(domain, uuid) < 0)
            {
                NativeMethods.virResetLastError();
                return;
            }
            var diskName = Marshal.PtrToStringUTF8((nint)disk)!;
            store.Record(Guid.Parse(Encoding.ASCII.GetString(uuid, 36)), diskName, (BlockJobType)type, (BlockJobStatus)status);
        }
        catch
        {
            // An exception must never unwind into libvirt's C frames.
        }
    }

    [UnmanagedCallersOnly]
    internal static void FreeOpaque(nint opaque) => GCHandle.FromIntPtr(opaque).Free();
}

internal readonly record struct BlockJobEvent(BlockJobType Type, BlockJobStatus Status);
