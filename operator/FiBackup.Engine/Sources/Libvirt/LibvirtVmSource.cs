using FiBackup.Engine.Errors;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>A libvirt host as a source of virtual machines (local or qemu+ssh:// / qemu+tls://).</summary>
public sealed class LibvirtVmSource : IVmSource
{
    private readonly LibvirtConnection connection;

    private LibvirtVmSource(LibvirtConnection connection, string uri)
    {
        this.connection = connection;
        Uri = uri;
        Host = connection.Hostname;
    }

    public string Uri { get; }
    public string Host { get; }

    /// <summary>Connects, turning libvirt's refusal into an error that names the URI.</summary>
    public static LibvirtVmSource Connect(string uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
            throw new InvalidInputException("--connect: a libvirt URI is required (e.g. qemu:///system)", "--connect");
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
                $"--connect: \"{uri}\" is not a libvirt URI (e.g. qemu:///system or qemu+ssh://backup@hv1/system): {e.LibvirtMessage}", "--connect", e);
        }
        catch (LibvirtException e)
        {
            throw new FibackupException($"--connect: cannot connect to {uri}: {e.LibvirtMessage}", "--connect", e);
        }
    }

    public IVmDomain OpenDomain(string name)
    {
        var domain = connection.TryLookupDomain(name)
                     ?? throw new InvalidInputException($"--domain: domain \"{name}\" not found on {Uri}", "--domain");
        return new LibvirtVmDomain(domain);
    }

    public bool DomainExists(string name)
    {
        using var domain = connection.TryLookupDomain(name);
        return domain is not null;
    }

    public IVmDomain DefineDomain(string xml) => new LibvirtVmDomain(connection.DefineDomain(xml));

    public void Dispose() => connection.Dispose();
}
