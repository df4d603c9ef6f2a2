using System.Reflection;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>Writes the restore point's manifest: from this moment the point exists and can be restored.</summary>
public sealed class RecordStep(ManifestStore manifests)
{
    public async Task<RestorePointManifest> RunAsync(BackupJournal journal, string domainName, CancellationToken ct)
    {
        var id = RestorePointId.Parse(journal.PointId);
        if (manifests.Find(id) is { } existing) return existing; // written before a crash
        var manifest = new RestorePointManifest
        {
            Id = journal.PointId,
            Domain = domainName,
            DomainUuid = journal.DomainUuid,
            Host = manifests.Layout.Host,
            Time = id.Time,
            Type = journal.Type,
            Chain = journal.Chain,
            Sequence = journal.Sequence,
            Disks = journal.Disks.Select(d => new DiskManifest
            {
                Target = d.Target,
                Source = d.Frozen,
                VirtualSize = d.VirtualSize,
                Files = [.. d.PreviousFiles, d.Copied ?? throw new InvalidOperationException($"disk {d.Target} was not copied")],
                // What the point stores: data written, not the (sparse) file length.
                Bytes = d.BytesCopied,
                FileLength = d.Copied.Size,
                LiveOverlay = d.Overlay,
            }).ToList(),
            DomainXml = journal.DomainXml,
            Quiesced = journal.Quiesced,
            Offline = journal.Offline,
            IdempotencyKey = journal.IdempotencyKey,
            Tool = "fibackup " + (typeof(RecordStep).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
                ?.InformationalVersion.Split('+')[0] ?? "?"),
        };
        await manifests.WriteAsync(manifest, ct);
        return manifest;
    }
}
