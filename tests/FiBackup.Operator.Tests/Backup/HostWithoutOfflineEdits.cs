using FiBackup.Engine.Backup;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Sources;
using FiBackup.Engine.Sources.Local;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// The local host's images as a host that cannot edit a shut-off domain's images would offer them
/// (a remote libvirt host, whose images the engine reaches only through the storage API): every
/// read and copy goes to <see cref="LocalHostImages"/>, an offline edit fails the test. With
/// <see cref="FailCopies"/> the copy into the repository fails, as a full repository would.
/// </summary>
internal sealed class HostWithoutOfflineEdits : IHostImages
{
    private readonly LocalHostImages local = new();

    public bool FailCopies { get; set; }
    public bool CanEditOffline => false;
    public bool IsLocal => true;

    public Task<IReadOnlyList<ChainImage>> ReadChainAsync(string image, CancellationToken ct) => local.ReadChainAsync(image, ct);
    public Task<bool> ExistsAsync(string image, CancellationToken ct) => local.ExistsAsync(image, ct);

    public Task<CopyResult> CopyIntoRepositoryAsync(string image, string destination, CopyOptions options, CancellationToken ct) =>
        FailCopies ? throw new IOException("injected copy failure") : local.CopyIntoRepositoryAsync(image, destination, options, ct);

    public Task FlattenIntoAsync(string image, string partialDestination, CancellationToken ct) =>
        FailCopies ? throw new IOException("injected copy failure") : local.FlattenIntoAsync(image, partialDestination, ct);

    public Task DeleteOverlayAsync(string overlay, CancellationToken ct) => local.DeleteOverlayAsync(overlay, ct);

    public Task CommitOfflineAsync(string top, string baseImage, CancellationToken ct) =>
        throw new InvalidOperationException($"offline commit of {top} into {baseImage} on a host that cannot edit offline");

    public Task RebaseOfflineAsync(string image, string newBacking, string backingFormat, bool safe, CancellationToken ct) =>
        throw new InvalidOperationException($"offline rebase of {image} onto {newBacking} on a host that cannot edit offline");

    public Task UploadAsync(string localFile, string hostPath, CancellationToken ct) => local.UploadAsync(localFile, hostPath, ct);
    public bool NeedsOverlayDirectory(string ownImage) => local.NeedsOverlayDirectory(ownImage);
    public bool IsBlockDevice(string path) => local.IsBlockDevice(path);
}

/// <summary>A source whose domains are the inner one's, with other host images.</summary>
internal sealed class SourceWithImages(IVmSource inner, IHostImages images) : IVmSource
{
    public string Uri => inner.Uri;
    public string Host => inner.Host;
    public string HypervisorId => inner.HypervisorId;
    public IHostImages Images => images;
    public IReadOnlyList<string> ListDomainNames() => inner.ListDomainNames();
    public IVmDomain OpenDomain(string name) => inner.OpenDomain(name);
    public bool DomainExists(string name) => inner.DomainExists(name);
    public IVmDomain DefineDomain(string xml) => inner.DefineDomain(xml);
    public Task<IReadOnlyList<DomainImages>> ReadImagesInUseAsync(CancellationToken ct) => inner.ReadImagesInUseAsync(ct);
    public void Dispose() => inner.Dispose();
}
