using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>
/// Freezes the disks: one atomic external disk-only snapshot over every backed-up disk, with
/// explicit overlay names. Quiescing (through the guest agent) is tried as the user asked:
/// Preferred falls back to a crash-consistent snapshot with a warning; Required fails untouched.
/// </summary>
public sealed class SnapshotStep
{
    /// <summary>Returns whether the guest was quiesced, and how long the switch took.</summary>
    public async Task<(bool Quiesced, TimeSpan Duration)> RunAsync(IVmDomain domain, BackupJournal journal, QuiesceMode quiesce,
        List<string> warnings, CancellationToken ct)
    {
        var overlays = journal.Disks.Select(d => new OverlayRequest(d.Target, d.Overlay)).ToList();
        // A shut-off domain's disks are consistent already; there is no guest to ask.
        if (quiesce == QuiesceMode.Disabled || journal.Point.Offline)
        {
            return (false, await domain.SnapshotAsync(overlays, quiesce: false, ct));
        }
        try
        {
            return (true, await domain.SnapshotAsync(overlays, quiesce: true, ct));
        }
        catch (QuiesceFailedException e) when (quiesce == QuiesceMode.Preferred)
        {
            warnings.Add(Quiescing.CrashConsistentWarning(e));
            return (false, await domain.SnapshotAsync(overlays, quiesce: false, ct));
        }
        catch (QuiesceFailedException e)
        {
            throw Quiescing.RequiredFailed(e);
        }
    }
}
