using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Restore;

/// <summary>
/// The file part of a restore to a host whose images are not this machine's files: the point is
/// materialized (verified, chain rebased or flattened) into a staging directory inside the
/// repository, &lt;repo&gt;/&lt;host&gt;/&lt;domain&gt;/staging-&lt;id&gt;/, each file is then uploaded
/// to the target directory on the host (<see cref="IHostImages.UploadAsync"/>), and the staging
/// directory is removed, on failure too. The restored chain's backing names are relative file
/// names, so they resolve the same in the target directory. Nothing on the host is overwritten:
/// every target path is checked first, and on failure the files this restore uploaded are removed.
/// </summary>
public sealed class StagedRestore(IHostImages images)
{
    public const string StagingPrefix = "staging-";

    public async Task<IReadOnlyList<RestoredDisk>> MaterializeAsync(DomainLayout layout, RestorePlan plan,
        IProgress<RestoreProgress>? progress, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(plan.TargetDirectory))
            throw new InvalidInputException("the target directory must not be empty", EngineField.TargetDirectory);
        if (plan.TargetDirectory.Split('/').Contains(".."))
            throw new InvalidInputException(
                $"target directory \"{plan.TargetDirectory}\" contains a '..' component; give the directory without '..'", EngineField.TargetDirectory);
        if (!plan.TargetDirectory.StartsWith('/'))
            throw new InvalidInputException(
                $"target directory \"{plan.TargetDirectory}\" must be an absolute path on the host", EngineField.TargetDirectory);
        var hostDirectory = plan.TargetDirectory.TrimEnd('/');
        var disks = plan.Disks is null ? plan.Point.Disks : plan.Point.Disks.Where(d => plan.Disks.Contains(d.Target));
        foreach (var name in disks.SelectMany(d => RestoreMaterializer.FileNames(d, plan.FileStem, plan.Flatten)))
        {
            var hostPath = $"{hostDirectory}/{name}";
            if (await images.ExistsAsync(hostPath, ct))
                throw new InvalidInputException(
                    $"{hostPath} already exists on the host; a restore never overwrites a file: choose another target directory or name, or move it away",
                    EngineField.TargetDirectory);
        }

        var staging = Path.Combine(layout.Directory, StagingPrefix + Guid.NewGuid().ToString("N"));
        var uploaded = new List<string>();
        try
        {
            var staged = await new RestoreMaterializer().MaterializeAsync(layout, plan with { TargetDirectory = staging }, progress, ct);
            var restored = new List<RestoredDisk>();
            foreach (var disk in staged)
            {
                var files = new List<string>();
                foreach (var file in disk.Files)
                {
                    var hostPath = $"{hostDirectory}/{Path.GetFileName(file)}";
                    await images.UploadAsync(file, hostPath, ct);
                    uploaded.Add(hostPath);
                    files.Add(hostPath);
                }
                restored.Add(new RestoredDisk(disk.Target, files[^1], files) { Bytes = disk.Bytes });
            }
            return restored;
        }
        catch
        {
            await RemoveUploadedAsync(images, uploaded);
            throw;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Best effort: the original error is the one to report.</summary>
    public static async Task RemoveUploadedAsync(IHostImages images, IEnumerable<string> hostPaths)
    {
        foreach (var path in hostPaths.Reverse())
        {
            try { await images.DeleteOverlayAsync(path, CancellationToken.None); }
            catch (Exception e) when (e is not OperationCanceledException) { }
        }
    }
}
