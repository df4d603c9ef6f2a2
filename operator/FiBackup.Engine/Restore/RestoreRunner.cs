using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Restore;

/// <summary>
/// A restore: checks everything first (point, name, domain state, target files), then puts the
/// point's images into the target directory (verified against their checksums), then defines the
/// domain from the saved XML — as a copy (--as), in place (--force, domain shut off), or, when the
/// domain no longer exists on the host, as itself. Nothing existing is overwritten or deleted:
/// an in-place restore leaves the old images where they are.
/// </summary>
public sealed class RestoreRunner
{
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    public async Task<RestoreResult> RunAsync(IVmSource? source, RestoreRequest request,
        IProgress<RestoreProgress>? progress, CancellationToken ct)
    {
        var layout = RestorePointLocator.FindDomain(request.RepositoryRoot, request.Domain, request.Host);
        var point = RestorePointLocator.FindPoint(layout, request.Point, request.RepositoryRoot);
        if (request.NewName is not null && request.Force)
            throw new InvalidInputException("--as and --force exclude each other: --as defines a copy, --force replaces the disks of the domain itself", "--force");
        if (request.NewName is not null) SafeName.Validate("--as", request.NewName);
        if (request.Start && !request.Define)
            throw new InvalidInputException("--start needs the domain defined; drop --no-define", "--start");
        if (request.Define && source is null)
            throw new InvalidInputException("--connect: a libvirt URI is needed to define the restored domain (or use --no-define)", "--connect");

        var notes = new List<string>();
        var mode = ChooseMode(source, request, point, notes);
        using var domainLock = mode is RestoreMode.InPlace && source is not null
            ? DomainLock.Acquire(DomainLockPaths.ForHost(source.Uri, point.Domain), $"fibackup restore of {point.Domain}", LockWait, ct)
            : null;
        if (mode is RestoreMode.InPlace && request.Force) EnsureShutOff(source!, point.Domain);

        var plan = new RestorePlan(point, request.Disks, request.TargetDirectory,
            RestorePlan.DefaultFileStem(point, mode), request.Flatten, mode, request.Start);
        var restored = await new RestoreMaterializer().MaterializeAsync(layout, plan, progress, ct);
        if (!request.Define)
            return new RestoreResult(point.Domain, point.Id, restored, Defined: false, Started: false, notes);

        var images = restored.ToDictionary(d => d.Target, d => d.Image);
        var xml = new DomainXmlRewriter().Rewrite(point.DomainXml, mode, images);
        IVmDomain defined;
        try
        {
            defined = source!.DefineDomain(xml);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The images are new and nothing refers to them: remove them so a retry starts clean.
            foreach (var file in restored.SelectMany(d => d.Files)) File.Delete(file);
            throw new FibackupException($"defining the restored domain failed, the restored images were removed: {e.Message}", inner: e);
        }
        using (defined)
        {
            if (request.Start) defined.Start();
            return new RestoreResult(defined.Name, point.Id, restored, Defined: true, Started: request.Start, notes);
        }
    }

    private static RestoreMode ChooseMode(IVmSource? source, RestoreRequest request, RestorePointManifest point, List<string> notes)
    {
        if (request.NewName is { } name)
        {
            if (request.Define && source!.DomainExists(name))
                throw new InvalidInputException($"--as: a domain named \"{name}\" already exists on {source.Uri}; choose another name", "--as");
            return new RestoreMode.NewDomain(name);
        }
        if (request.Force) return new RestoreMode.InPlace();
        if (!request.Define) return new RestoreMode.InPlace();
        if (source!.DomainExists(point.Domain))
            throw new InvalidInputException(
                $"domain \"{point.Domain}\" exists on {source.Uri}: use --as NEWNAME to restore a copy beside it, or --force to replace its disks (it must be shut off)",
                "--as");
        notes.Add($"domain {point.Domain} did not exist on {source.Uri}; it is defined again with its saved name and UUID");
        return new RestoreMode.InPlace();
    }

    private static void EnsureShutOff(IVmSource source, string domainName)
    {
        if (!source.DomainExists(domainName))
            throw new InvalidInputException($"--force: domain \"{domainName}\" does not exist on {source.Uri}; restore without --force to define it again", "--force");
        using var domain = source.OpenDomain(domainName);
        if (domain.IsRunning)
            throw new InvalidInputException($"--force: domain \"{domainName}\" is running; shut it down first (an in-place restore replaces its disks)", "--force");
    }
}
