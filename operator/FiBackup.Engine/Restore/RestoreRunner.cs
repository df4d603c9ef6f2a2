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
/// <remarks>An in-place restore holds the domain through the injected <see cref="IDomainLocks"/>, as a backup does.</remarks>
public sealed class RestoreRunner(IDomainLocks locks)
{
    public Task<RestoreResult> RunAsync(IVmSource? source, RestoreRequest request,
        IProgress<RestoreProgress>? progress, CancellationToken ct) =>
        EngineBoundary.RunAsync($"restore of {request.Domain} point {request.Point}", ct, () => RunCoreAsync(source, request, progress, ct));

    private async Task<RestoreResult> RunCoreAsync(IVmSource? source, RestoreRequest request,
        IProgress<RestoreProgress>? progress, CancellationToken ct)
    {
        var layout = RestorePointLocator.FindDomain(request.RepositoryRoot, request.Domain, request.Host);
        var point = RestorePointLocator.FindPoint(layout, request.Point, request.RepositoryRoot);
        // A host whose images are not this machine's files gets the point through a staging directory.
        var remoteImages = source?.Images is { IsLocal: false } remote ? remote : null;
        // The target is a path on this machine only when the host's images are its files.
        if (remoteImages is null) RestoreTarget.EnsureOutsideRepository(request.RepositoryRoot, request.TargetDirectory);
        if (request.NewName is not null && request.Force)
            throw new InvalidInputException("a restore under a new name and an in-place restore exclude each other: the new name defines a copy, in place replaces the disks of the domain itself", EngineField.InPlace);
        if (request.NewName is not null) RepositoryName.Validate(EngineField.NewName, request.NewName);
        if (request.Start && !request.Define)
            throw new InvalidInputException("starting the restored domain needs it defined; define it or do not start it", EngineField.Start);
        if (request.Define && source is null)
            throw new InvalidInputException("a libvirt URI is needed to define the restored domain (or restore the images only, without defining it)", EngineField.Source);

        var notes = new List<string>();
        var mode = ChooseMode(source, request, point, notes);
        await using var domainLock = mode is RestoreMode.InPlace && source is not null ? await LockAsync(source, point, ct) : null;
        if (mode is RestoreMode.InPlace && request.Force) EnsureShutOff(source!, point.Domain);

        var plan = new RestorePlan(point, request.Disks, request.TargetDirectory,
            RestorePlan.DefaultFileStem(point, mode), request.Flatten, mode, request.Start);
        var restored = remoteImages is null
            ? await new RestoreMaterializer().MaterializeAsync(layout, plan, progress, ct)
            : await new StagedRestore(remoteImages).MaterializeAsync(layout, plan, progress, ct);
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
            if (remoteImages is null)
                foreach (var file in restored.SelectMany(d => d.Files)) File.Delete(file);
            else
                await StagedRestore.RemoveUploadedAsync(remoteImages, restored.SelectMany(d => d.Files));
            var wrapped = EngineBoundary.Wrap(e, "defining the restored domain");
            throw new FibackupException(wrapped.Reason, $"{wrapped.Message}; the restored images were removed", wrapped.Field, e, wrapped.Retryable);
        }
        using (defined)
        {
            if (request.Start) StartOrUndefine(defined, mode, request, restored);
            return new RestoreResult(defined.Name, point.Id, restored, Defined: true, Started: request.Start, notes);
        }
    }

    /// <summary>
    /// Starts the restored domain. When that fails, a domain this restore created (a copy, or one
    /// defined again because it was gone) is undefined again, so a retry with the same name works;
    /// a domain that existed before (in place) stays defined on the restored images. Either way the
    /// error says what is left: the restored images are kept (the failure is often outside them, a
    /// missing ISO or network) and named.
    /// </summary>
    private static void StartOrUndefine(IVmDomain defined, RestoreMode mode, RestoreRequest request, IReadOnlyList<RestoredDisk> restored)
    {
        try
        {
            defined.Start();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var wrapped = EngineBoundary.Wrap(e, $"starting the restored domain {defined.Name}");
            var images = string.Join(", ", restored.SelectMany(d => d.Files));
            string left;
            if (mode is RestoreMode.InPlace && request.Force)
            {
                left = $"domain {defined.Name} stays defined on the restored images ({images}); its old images are kept";
            }
            else
            {
                try
                {
                    defined.Undefine(removeNvram: mode is RestoreMode.NewDomain);
                    left = $"domain {defined.Name} was undefined again; the restored images are kept: {images}";
                }
                catch (Exception undefine) when (undefine is not OperationCanceledException)
                {
                    left = $"domain {defined.Name} stays defined (undefining it failed too: {EngineBoundary.Wrap(undefine, "undefine").Message}); the restored images are kept: {images}";
                }
            }
            throw new FibackupException(wrapped.Reason, $"{wrapped.Message}; {left}", wrapped.Field, e, wrapped.Retryable);
        }
    }

    /// <summary>
    /// The domain's lock by its UUID: the live domain's, or, when it is defined again from the
    /// point, the saved one (the UUID it gets back). Null when neither is known.
    /// </summary>
    private async Task<IAsyncDisposable?> LockAsync(IVmSource source, RestorePointManifest point, CancellationToken ct)
    {
        Guid uuid;
        if (source.DomainExists(point.Domain))
        {
            using var domain = source.OpenDomain(point.Domain);
            uuid = domain.Uuid;
        }
        else if (!Guid.TryParse(point.DomainUuid, out uuid))
        {
            return null;
        }
        return await locks.AcquireAsync(new DomainLockKey(source.HypervisorId, uuid, point.Domain), $"fibackup restore of {point.Domain}", ct);
    }

    private static RestoreMode ChooseMode(IVmSource? source, RestoreRequest request, RestorePointManifest point, List<string> notes)
    {
        if (request.NewName is { } name)
        {
            if (request.Define && source!.DomainExists(name))
                throw new InvalidInputException($"a domain named \"{name}\" already exists on {source.Uri}; choose another name", EngineField.NewName, reason: ErrorReason.DomainExists);
            return new RestoreMode.NewDomain(name);
        }
        if (request.Force) return new RestoreMode.InPlace();
        if (!request.Define) return new RestoreMode.InPlace();
        if (source!.DomainExists(point.Domain))
            throw new InvalidInputException(
                $"domain \"{point.Domain}\" exists on {source.Uri}: restore a copy beside it under a new name, or restore in place to replace its disks (it must be shut off)",
                EngineField.NewName, reason: ErrorReason.DomainExists);
        notes.Add($"domain {point.Domain} did not exist on {source.Uri}; it is defined again with its saved name and UUID");
        return new RestoreMode.InPlace();
    }

    private static void EnsureShutOff(IVmSource source, string domainName)
    {
        if (!source.DomainExists(domainName))
            throw new InvalidInputException($"domain \"{domainName}\" does not exist on {source.Uri}, so it cannot be restored in place; restore it without in place to define it again", EngineField.InPlace, reason: ErrorReason.DomainNotFound);
        using var domain = source.OpenDomain(domainName);
        if (domain.IsRunning)
            throw new InvalidInputException($"domain \"{domainName}\" is running; shut it down first (an in-place restore replaces its disks)", EngineField.InPlace, reason: ErrorReason.DomainRunning);
    }
}
