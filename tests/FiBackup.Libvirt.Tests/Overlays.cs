namespace FiBackup.Libvirt.Tests;

/// <summary>Takes the external disk-only snapshots the tests consolidate, with overlays named like fibackup's.</summary>
internal static class Overlays
{
    public const SnapshotCreateFlags BackupFlags =
        SnapshotCreateFlags.DiskOnly | SnapshotCreateFlags.NoMetadata | SnapshotCreateFlags.Atomic;

    public const long MiB = 1024 * 1024;

    /// <summary>Snapshots the given disks of the domain onto <c>&lt;target&gt;.fib-&lt;label&gt;.qcow2</c> and returns the overlay paths by target.</summary>
    public static Dictionary<string, string> Take(TestDomain domain, string label, params string[] targets)
    {
        var overlays = targets.ToDictionary(t => t, t => domain.PathIn($"{t}.fib-{label}.qcow2"));
        domain.Domain.CreateSnapshot(new ExternalSnapshot(label, overlays).ToXml(), BackupFlags);
        return overlays;
    }

    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
