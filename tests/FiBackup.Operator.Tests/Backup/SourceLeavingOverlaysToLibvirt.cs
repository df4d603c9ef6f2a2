using FiBackup.Engine.Sources;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Engine.Sources.Local;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// The local source as versions before subcluster overlays drove it: every image operation goes to
/// <see cref="LocalHostImages"/>, but overlays are left to libvirt (no <see cref="IHostImages.CreateOverlayAsync"/>),
/// so the snapshot makes plain 64 KiB-cluster overlays. For tests of chains those versions left.
/// </summary>
internal sealed class SourceLeavingOverlaysToLibvirt(string uri) : IVmSource
{
    private readonly LibvirtVmSource inner = LibvirtVmSource.Connect(uri);
    private readonly FiBackup.Libvirt.LibvirtConnection connection = FiBackup.Libvirt.LibvirtConnection.Open(uri);

    public string Uri => inner.Uri;
    public string Host => inner.Host;
    public string HypervisorId => inner.HypervisorId;
    public IHostImages Images { get; } = new LocalImagesWithoutOverlays();
    public IReadOnlyList<string> ListDomainNames() => inner.ListDomainNames();
    public IVmDomain OpenDomain(string name) => new LibvirtVmDomain(connection.LookupDomain(name), Images);
    public bool DomainExists(string name) => inner.DomainExists(name);
    public IVmDomain DefineDomain(string xml) => inner.DefineDomain(xml);
    public Task<IReadOnlyList<DomainImages>> ReadImagesInUseAsync(CancellationToken ct) => inner.ReadImagesInUseAsync(ct);

    public void Dispose()
    {
        connection.Dispose();
        inner.Dispose();
    }

    private sealed class LocalImagesWithoutOverlays : IHostImages
    {
        private readonly LocalHostImages local = new();

        public bool CanEditOffline => local.CanEditOffline;
        public bool IsLocal => local.IsLocal;
        public Task<IReadOnlyList<FiBackup.Engine.Backup.ChainImage>> ReadChainAsync(string image, CancellationToken ct) => local.ReadChainAsync(image, ct);
        public Task<bool> ExistsAsync(string image, CancellationToken ct) => local.ExistsAsync(image, ct);
        public Task<FiBackup.Engine.Copy.CopyResult> CopyIntoRepositoryAsync(string image, string destination, FiBackup.Engine.Copy.CopyOptions options, CancellationToken ct) =>
            local.CopyIntoRepositoryAsync(image, destination, options, ct);
        public Task FlattenIntoAsync(string image, string partialDestination, CancellationToken ct) => local.FlattenIntoAsync(image, partialDestination, ct);
        public Task DeleteOverlayAsync(string overlay, CancellationToken ct) => local.DeleteOverlayAsync(overlay, ct);
        public Task CommitOfflineAsync(string top, string baseImage, CancellationToken ct) => local.CommitOfflineAsync(top, baseImage, ct);
        public Task RebaseOfflineAsync(string image, string newBacking, string backingFormat, bool safe, CancellationToken ct) =>
            local.RebaseOfflineAsync(image, newBacking, backingFormat, safe, ct);
        public Task UploadAsync(string localFile, string hostPath, CancellationToken ct) => local.UploadAsync(localFile, hostPath, ct);
        public bool NeedsOverlayDirectory(string ownImage) => local.NeedsOverlayDirectory(ownImage);
        public bool IsBlockDevice(string path) => local.IsBlockDevice(path);
    }
}
