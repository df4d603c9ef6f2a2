using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using FiBackup.Engine.Errors;
using FiBackup.Libvirt;

namespace FiBackup.Engine.Sources.Libvirt;

/// <summary>
/// Reaches the host's image files as libvirt storage volumes, which is how their bytes travel over
/// a remote connection. A file's volume is found in the running pool whose target directory is the
/// file's directory (dir, fs and netfs pools are not recursive). A directory no pool covers gets a
/// transient dir pool named <c>fibackup-&lt;hash of the directory&gt;</c>, destroyed on
/// <see cref="Dispose"/>; destroying a dir pool stops libvirt's view of the directory and leaves
/// its files alone. Pools fibackup did not create are never destroyed. Two runs on one directory
/// share its pool (libvirt allows one dir pool per directory); the one that finishes first
/// destroys it and the other makes it again when it next needs it.
/// </summary>
internal sealed class HostVolumes(LibvirtConnection connection, string host) : IDisposable
{
    private static readonly string[] DirectoryPoolTypes = ["dir", "fs", "netfs"];

    private readonly Lock gate = new();
    private readonly Dictionary<string, StoragePool> pools = new(StringComparer.Ordinal);
    private readonly List<StoragePool> created = [];

    /// <summary>
    /// The volume of <paramref name="path"/>, or null when the host has no such file (or no such
    /// directory). The pool is refreshed first, so files made since it was last scanned (a new
    /// overlay) are found and deleted ones are not.
    /// </summary>
    public StorageVolume? TryOpen(string path)
    {
        var (directory, name) = Split(path);
        return RefreshedPool(directory, build: false)?.TryLookupVolume(name);
    }

    /// <summary>The (refreshed) pool covering <paramref name="directory"/>; a transient one, and the directory with it, when none does.</summary>
    public StoragePool PoolForWriting(string directory) =>
        RefreshedPool(Normalize(directory), build: true)
        ?? throw new FibackupException(ErrorReason.InvalidSpec, $"directory {directory} cannot be made on {host}", EngineField.TargetDirectory);

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var pool in created)
            {
                try
                {
                    if (pool.IsActive) pool.Destroy();
                }
                catch (LibvirtException)
                {
                    // The connection dropped: libvirtd keeps the transient pool; the next run that
                    // needs the directory adopts it by name and destroys it.
                }
            }
            foreach (var pool in pools.Values.Concat(created).Distinct()) pool.Dispose();
            pools.Clear();
            created.Clear();
        }
    }

    /// <summary>A pool's name for a directory: stable, so concurrent and later runs find the same one.</summary>
    internal static string TransientPoolName(string directory) =>
        "fibackup-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..16];

    internal static (string Directory, string Name) Split(string path)
    {
        if (!path.StartsWith('/'))
            throw new FibackupException(ErrorReason.InvalidSpec, $"image path \"{path}\" is not absolute");
        if (IsBlockDevicePath(path))
            throw new FibackupException(ErrorReason.InvalidSpec,
                $"disk {path} is a block device; fibackup backs up block-device disks only on the local host, not over a remote connection");
        return (Normalize(Path.GetDirectoryName(path)!), Path.GetFileName(path));
    }

    internal static bool IsBlockDevicePath(string path) => path.StartsWith("/dev/", StringComparison.Ordinal);

    private static string Normalize(string directory) =>
        directory.Length > 1 ? directory.TrimEnd('/') : directory;

    private StoragePool? RefreshedPool(string directory, bool build)
    {
        var pool = PoolFor(directory, build);
        if (pool is null) return null;
        try
        {
            pool.Refresh();
            return pool;
        }
        catch (LibvirtException e) when (!EngineBoundary.IsConnectionLost(e))
        {
            // Another run destroyed the transient pool it made and this one reused: make it again.
            Forget(directory);
            pool = PoolFor(directory, build);
            pool?.Refresh();
            return pool;
        }
    }

    private void Forget(string directory)
    {
        lock (gate)
        {
            if (pools.Remove(directory, out var stale) && !created.Contains(stale)) stale.Dispose();
        }
    }

    private StoragePool? PoolFor(string directory, bool build)
    {
        lock (gate)
        {
            if (pools.TryGetValue(directory, out var known) && IsActive(known)) return known;
            if (known is not null)
            {
                pools.Remove(directory);
                if (!created.Contains(known)) known.Dispose();
            }
            var pool = FindCovering(directory, activeOnly: true) ?? CreateTransient(directory, build);
            if (pool is null) return null;
            pools[directory] = pool;
            // A transient pool under fibackup's name for this directory is fibackup's, also when a run
            // that lost its connection left it: this run destroys it when done.
            if (!created.Contains(pool) && pool.Name == TransientPoolName(directory) && !pool.IsPersistent) created.Add(pool);
            return pool;
        }
    }

    private static bool IsActive(StoragePool pool)
    {
        try { return pool.IsActive; }
        catch (LibvirtException e) when (!EngineBoundary.IsConnectionLost(e)) { return false; }
    }

    private StoragePool? FindCovering(string directory, bool activeOnly)
    {
        StoragePool? found = null;
        foreach (var pool in connection.ListStoragePools(activeOnly))
        {
            if (found is null && Covers(pool, directory)) found = pool;
            else pool.Dispose();
        }
        return found;
    }

    private static bool Covers(StoragePool pool, string directory)
    {
        var xml = XDocument.Parse(pool.GetXml()).Root;
        return xml?.Attribute("type")?.Value is { } type && DirectoryPoolTypes.Contains(type)
               && xml.Element("target")?.Element("path")?.Value is { } target
               && Normalize(target) == directory;
    }

    private StoragePool? CreateTransient(string directory, bool build)
    {
        var name = TransientPoolName(directory);
        var xml = new XElement("pool", new XAttribute("type", "dir"),
            new XElement("name", name),
            new XElement("target", new XElement("path", directory))).ToString(SaveOptions.DisableFormatting);
        try
        {
            var pool = connection.CreateTransientPool(xml, build);
            created.Add(pool);
            return pool;
        }
        catch (LibvirtException e) when (!EngineBoundary.IsConnectionLost(e))
        {
            // Another run made the same pool a moment ago: use it.
            if (connection.TryLookupStoragePool(name) is { } existing)
            {
                if (IsActive(existing)) return existing;
                existing.Dispose();
            }
            if (FindCovering(directory, activeOnly: false) is { } inactive)
            {
                var owner = inactive.Name;
                inactive.Dispose();
                throw new FibackupException(ErrorReason.LibvirtError,
                    $"directory {directory} on {host} belongs to storage pool \"{owner}\", which is not running; start it (virsh pool-start {owner}) and run again", inner: e);
            }
            // libvirt cannot open the directory: it does not exist on the host (or is not a directory).
            if (!build && e.Code is LibvirtErrorCode.SystemError or LibvirtErrorCode.OperationFailed or LibvirtErrorCode.InternalError)
                return null;
            throw;
        }
    }
}
