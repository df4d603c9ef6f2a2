using System.Xml.Linq;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources.Local;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// A libvirt host as a source of virtual machines (local or qemu+ssh:// / qemu+tls://). Every call
/// goes through <see cref="EngineBoundary"/>, so a dropped connection surfaces as
/// LibvirtUnreachable (retryable), not as a raw libvirt error.
/// </summary>
public sealed class LibvirtVmSource : IVmSource
{
    private readonly LibvirtConnection connection;

    private LibvirtVmSource(LibvirtConnection connection, string uri)
    {
        this.connection = connection;
        Uri = LibvirtUri.Redact(uri);
        Host = connection.Hostname;
        HypervisorId = HostUuidOf(connection) ?? "hostname-" + Host;
        Images = HostImagesFor(uri, connection, Host);
    }

    /// <summary>
    /// How this host's images are reached: as this machine's files for a local URI, through
    /// libvirt's storage API (volume streams) on the connection for a remote one. A URI alias from
    /// libvirt.conf is judged by the URI libvirt resolved it to.
    /// </summary>
    private static IHostImages HostImagesFor(string uri, LibvirtConnection connection, string host)
    {
        var resolved = uri.Contains("://", StringComparison.Ordinal) ? uri : connection.Uri;
        return LibvirtUri.IsRemote(resolved) ? new LibvirtStorageImages(connection, host) : new LocalHostImages();
    }

    /// <summary>The address the user gave, without its query (credential file names) or password.</summary>
    public string Uri { get; }
    public string Host { get; }
    public string HypervisorId { get; }
    public IHostImages Images { get; }

    /// <summary>Connects, turning libvirt's refusal into an error that names the URI.</summary>
    public static LibvirtVmSource Connect(string uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
            throw new InvalidInputException("a libvirt URI is required (e.g. qemu:///system)", EngineField.Source);
        try
        {
            var connection = LibvirtConnection.Open(uri);
            try
            {
                // A libvirtd that stops answering (host down, network cut) fails calls within ~20 s instead of hanging.
                connection.SetKeepAlive(5, 3);
                return new LibvirtVmSource(connection, uri);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
        catch (LibvirtException e) when (!System.Uri.TryCreate(uri, UriKind.Absolute, out _))
        {
            // libvirt reports a URI it cannot parse as an internal error; for the user it is bad
            // input (exit 2), not a host that failed. Checked only after libvirt refused it, so
            // URI aliases from libvirt.conf (plain names) keep working.
            throw new InvalidInputException(
                $"\"{LibvirtUri.Redact(uri)}\" is not a libvirt URI (e.g. qemu:///system or qemu+ssh://backup@hv1/system): {e.LibvirtMessage}", EngineField.Source, e);
        }
        catch (LibvirtException e)
        {
            var shown = LibvirtUri.Redact(uri);
            var wrapped = EngineBoundary.FromLibvirt(e, $"connecting to {shown}");
            // Whatever the code, failing to open the connection means the daemon is not reachable as
            // given; only a refusal of the credentials is terminal.
            throw new FibackupException(ErrorReason.LibvirtUnreachable, $"cannot connect to {shown}: {e.LibvirtMessage}", EngineField.Source, e,
                wrapped.Reason == ErrorReason.LibvirtUnreachable ? wrapped.Retryable : true);
        }
    }

    public IVmDomain OpenDomain(string name) => EngineBoundary.Run($"looking up domain {name} on {Uri}", () =>
    {
        var domain = connection.TryLookupDomain(name)
                     ?? throw new InvalidInputException($"domain \"{name}\" not found on {Uri}", EngineField.Domain, reason: ErrorReason.DomainNotFound);
        return (IVmDomain)new LibvirtVmDomain(domain, Images);
    });

    public bool DomainExists(string name) => EngineBoundary.Run($"looking up domain {name} on {Uri}", () =>
    {
        using var domain = connection.TryLookupDomain(name);
        return domain is not null;
    });

    public IReadOnlyList<string> ListDomainNames() => EngineBoundary.Run($"listing the domains on {Uri}", () =>
    {
        var domains = connection.ListDomains(includeInactive: true);
        try
        {
            return (IReadOnlyList<string>)domains.Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
        }
        finally
        {
            foreach (var domain in domains) domain.Dispose();
        }
    });

    public IVmDomain DefineDomain(string xml) =>
        EngineBoundary.Run($"defining a domain on {Uri}", () => (IVmDomain)new LibvirtVmDomain(connection.DefineDomain(xml), Images));

    public async Task<IReadOnlyList<DomainImages>> ReadImagesInUseAsync(CancellationToken ct)
    {
        var domains = EngineBoundary.Run($"listing the domains on {Uri}", () => connection.ListDomains(includeInactive: true));
        try
        {
            var result = new List<DomainImages>(domains.Count);
            foreach (var domain in domains)
            {
                if (await ImagesOfAsync(new LibvirtVmDomain(domain, Images), ct) is { } images) result.Add(images);
            }
            return result;
        }
        finally
        {
            foreach (var domain in domains) domain.Dispose();
        }
    }

    /// <summary>
    /// The images of one domain's disks; null when the domain was undefined since the listing. An
    /// image removed meanwhile (or never there: a stale definition, a removed ISO) backs on nothing,
    /// so only its path counts. Any other failure propagates: an unknown chain is not a free one.
    /// </summary>
    private async Task<DomainImages?> ImagesOfAsync(LibvirtVmDomain vm, CancellationToken ct)
    {
        IReadOnlyList<DomainDisk> disks;
        try
        {
            disks = vm.ReadDisks();
        }
        catch (LibvirtException) when (!DomainExists(vm.Name))
        {
            return null;
        }
        var images = new HashSet<string>(StringComparer.Ordinal);
        foreach (var disk in disks.Where(d => d.ActivePath is not null && d.SourceType is "file" or "block"))
        {
            images.Add(disk.ActivePath!);
            try
            {
                foreach (var image in await Images.ReadChainAsync(disk.ActivePath!, ct)) images.Add(image.Path);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (await Images.ExistsAsync(disk.ActivePath!, ct)) throw;
            }
        }
        return new DomainImages(vm.Name, images);
    }

    public void Dispose()
    {
        // The remote images' transient pools are destroyed over the connection, so before it closes.
        (Images as IDisposable)?.Dispose();
        connection.Dispose();
    }

    /// <summary>
    /// The host UUID, or null when the daemon does not say (a driver without one, a capabilities
    /// call refused): then the host name stands in, which still locks every URI that resolves to it.
    /// </summary>
    private static string? HostUuidOf(LibvirtConnection connection)
    {
        try
        {
            return HostUuid(connection.Capabilities);
        }
        catch (LibvirtException e) when (!EngineBoundary.IsConnectionLost(e))
        {
            return null;
        }
    }

    /// <summary>&lt;capabilities&gt;&lt;host&gt;&lt;uuid&gt; (SMBIOS or /etc/machine-id based), lower case; null when absent.</summary>
    internal static string? HostUuid(string capabilitiesXml)
    {
        var uuid = XDocument.Parse(capabilitiesXml).Root?.Element("host")?.Element("uuid")?.Value.Trim();
        return string.IsNullOrEmpty(uuid) ? null : uuid.ToLowerInvariant();
    }
}
