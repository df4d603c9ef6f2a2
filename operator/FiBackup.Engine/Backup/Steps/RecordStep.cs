using System.Reflection;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Backup.Steps;

/// <summary>Writes the restore point's manifest: from this moment the point exists and can be restored.</summary>
public sealed class RecordStep(ManifestStore manifests)
{
    private static readonly string Tool = "fibackup " + (typeof(RecordStep).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?");

    public async Task<RestorePointManifest> RunAsync(BackupJournal journal, CancellationToken ct)
    {
        var id = RestorePointId.Parse(journal.PointId);
        if (manifests.Find(id) is { } existing) return existing; // written before a crash
        var manifest = journal.ToManifest(Tool);
        await manifests.WriteAsync(manifest, ct);
        return manifest;
    }
}
