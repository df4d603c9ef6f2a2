using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Verify;
using Microsoft.Win32.SafeHandles;

namespace FiBackup.Engine.Repository;

/// <summary>
/// Puts one file into place the only way files enter the repository (invariant 3): written as
/// "&lt;destination&gt;.partial", fsync'ed, renamed (<see cref="AtomicFile.Commit"/>, which fsyncs the
/// directory). An existing destination is refused, never replaced. On any failure or cancellation
/// the partial file is deleted, except one another copy holds locked, which is refused before
/// anything is written. The content comes either through the open partial file
/// (<see cref="WriteAsync"/>, the copiers) or from an external tool given its path
/// (<see cref="WriteByToolAsync{T}"/>, qemu-img convert or rebase). One instance per file.
/// </summary>
public sealed class RepositoryFileWriter
{
    private readonly bool inRepository;
    private Func<IOException, Exception>? destinationError;

    /// <summary>A writer for the repository file <paramref name="destination"/>; fails with FileConflict when it exists.</summary>
    public RepositoryFileWriter(string destination) : this(destination, inRepository: true) { }

    private RepositoryFileWriter(string destination, bool inRepository)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        this.inRepository = inRepository;
        Destination = Path.GetFullPath(destination);
        PartialPath = AtomicFile.PartialPathFor(Destination);
        if (File.Exists(Destination))
            throw new FibackupException(ErrorReason.FileConflict, inRepository
                ? $"repository file {Destination} already exists; repository files are never overwritten"
                : $"{Destination} already exists; a restore never overwrites a file");
    }

    /// <summary>
    /// A writer for a restored image outside the repository (a restore's target directory), which
    /// the restore has checked is free. Write errors are not turned into the repository's
    /// (RepositoryFull, CopyFailed): they are about the target directory and leave as they are.
    /// </summary>
    public static RepositoryFileWriter ForRestoredFile(string destination) => new(destination, inRepository: false);

    public string Destination { get; }

    public string PartialPath { get; }

    /// <summary>
    /// Opens the partial file exclusively, lets <paramref name="fill"/> write it through the handle
    /// (given the mapping of write errors to use, so a full disk is reported as such from any
    /// thread), then fsyncs, drops it from the page cache and renames it into place.
    /// </summary>
    /// <param name="bytesNeeded">What the file stores at most, for the message of a full repository.</param>
    public async Task<CopyResult> WriteAsync(long bytesNeeded,
        Func<SafeFileHandle, Func<IOException, Exception>, CancellationToken, Task<CopyResult>> fill, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var destinationError = Prepare(bytesNeeded);
        // Opened before the clean-up below applies: a partial file another copy holds is not ours to delete.
        var output = OpenPartial(destinationError);
        try
        {
            CopyResult result;
            using (output)
            {
                result = await fill(output, destinationError, ct).ConfigureAwait(false);
                try { LinuxFile.Fsync(output); }
                catch (IOException e) { throw destinationError(e); }
                // Nobody reads a fresh backup soon: leave the page cache to the VMs.
                LinuxFile.Advise(output, 0, 0, LinuxFile.FadviseDontNeed);
            }
            Commit();
            return result;
        }
        catch
        {
            TryDelete(PartialPath);
            throw;
        }
    }

    /// <summary>
    /// Lets <paramref name="fill"/> (an external tool) create the partial file at the path it is
    /// given, fsyncs it, lets <paramref name="inspect"/> look at the finished file (hash, compare)
    /// and renames it into place.
    /// </summary>
    /// <param name="bytesNeeded">What the file stores at most, for the message of a full repository.</param>
    public async Task<T> WriteByToolAsync<T>(long bytesNeeded, Func<string, CancellationToken, Task> fill,
        Func<string, CancellationToken, Task<T>> inspect, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(inspect);
        BeginToolWrite(bytesNeeded);
        try
        {
            await fill(PartialPath, ct).ConfigureAwait(false);
        }
        catch
        {
            Abandon();
            throw;
        }
        return await CompleteToolWriteAsync(inspect, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of <see cref="WriteByToolAsync{T}"/>, for a tool that runs outside this call
    /// (a libvirt backup job writing several partial files at once): makes the folder, refuses a
    /// partial file another copy holds and removes a crashed run's leftover, so the tool can create
    /// <see cref="PartialPath"/> itself. Then <see cref="CompleteToolWriteAsync{T}"/> or <see cref="Abandon"/>.
    /// </summary>
    public string BeginToolWrite(long bytesNeeded)
    {
        destinationError = Prepare(bytesNeeded);
        // The exclusive open refuses a partial file another copy holds. Then the leftover of a
        // crashed run is unlinked and the handle closed before the tool runs: the tool creates its
        // own file, and on NFS a flock held meanwhile would conflict with qemu-img's image locks.
        using (OpenPartial(destinationError)) File.Delete(PartialPath);
        return PartialPath;
    }

    /// <summary>
    /// The second half: fsyncs the partial file the tool wrote, lets <paramref name="inspect"/> look at
    /// it (hash, compare) and renames it into place; on failure the partial file is deleted.
    /// </summary>
    public async Task<T> CompleteToolWriteAsync<T>(Func<string, CancellationToken, Task<T>> inspect, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inspect);
        var error = destinationError ?? throw new InvalidOperationException($"{nameof(BeginToolWrite)} was not called for {Destination}");
        try
        {
            // The file is complete: making it durable waits for the disk, measuring it reads it back from
            // the page cache on the CPU, so the two run side by side (bench/RESULTS.md). Both end before
            // the rename, and before the clean-up below.
            var durable = Task.Run(() =>
            {
                try
                {
                    // Read-only and sharing: the measuring reader has the file open meanwhile (fsync(2) needs no write access).
                    using var file = File.OpenHandle(PartialPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    Copy.LinuxFile.Fsync(file);
                }
                catch (IOException e) { throw error(e); }
            }, CancellationToken.None);
            T result;
            try { result = await inspect(PartialPath, ct).ConfigureAwait(false); }
            finally { await Task.WhenAny(durable).ConfigureAwait(false); }
            await durable.ConfigureAwait(false);
            Commit();
            return result;
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary><see cref="CompleteToolWriteAsync{T}"/> that measures the file as a copy does: length, data bytes, SHA-256.</summary>
    public Task<CopyResult> CompleteToolWriteAsync(CancellationToken ct) => CompleteToolWriteAsync(DescribeAsync, ct);

    /// <summary>Deletes the partial file of a write that will not complete.</summary>
    public void Abandon() => TryDelete(PartialPath);

    /// <summary><see cref="WriteByToolAsync{T}"/> that measures the finished file as a copy does: length, data bytes, SHA-256.</summary>
    public Task<CopyResult> WriteByToolAsync(long bytesNeeded, Func<string, CancellationToken, Task> fill, CancellationToken ct) =>
        WriteByToolAsync(bytesNeeded, fill, DescribeAsync, ct);

    private static async Task<CopyResult> DescribeAsync(string path, CancellationToken ct)
    {
        var digest = await FileDigest.OfFileAsync(path, ct).ConfigureAwait(false);
        // Recorded like a copied file: the data it stores, not its length.
        return new CopyResult(digest.Size, DataBytes.Of(path), digest.Sha256);
    }

    /// <summary>Makes the folder and returns how write errors are reported, with the free space as it is now.</summary>
    private Func<IOException, Exception> Prepare(long bytesNeeded)
    {
        var folder = Path.GetDirectoryName(Destination)!;
        Directory.CreateDirectory(folder);
        if (!inRepository) return e => e;
        var freeAtStart = FreeSpace.TryAvailableBytes(folder);
        return e => RepositoryFullException.IsDiskFull(e)
            ? new RepositoryFullException(Destination, bytesNeeded, freeAtStart, e)
            : new FibackupException(ErrorReason.CopyFailed, $"cannot write repository file {Destination}: {e.Message}", inner: e);
    }

    private SafeFileHandle OpenPartial(Func<IOException, Exception> destinationError)
    {
        try
        {
            // A partial file left by a crashed run is replaced. FileShare.None takes an exclusive
            // flock first, so one that a running copy still writes is refused, not truncated.
            return File.OpenHandle(PartialPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw destinationError(e);
        }
    }

    private void Commit()
    {
        try { AtomicFile.Commit(PartialPath, Destination); }
        catch (IOException e) when (inRepository)
        {
            throw new FibackupException(ErrorReason.CopyFailed, $"cannot put {Destination} in place: {e.Message}", inner: e);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the reported error matters more */ }
    }
}
