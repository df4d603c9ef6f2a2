namespace FiBackup.Testing.Kubelet;

/// <summary>
/// What a pod's container sees at its mountPaths, for a process that cannot bind-mount: a
/// directory per pod (its "root") with a symlink at each mountPath to the volume's host directory,
/// and arguments and env values that name a path under (or above) such a mount rewritten into that
/// root. A hostPath mounted at its own path needs nothing: the process sees the host's.
/// </summary>
public sealed class PodFilesystem
{
    private readonly List<(string MountPath, string HostPath)> mounts = [];

    public PodFilesystem(string root) => Root = root;

    /// <summary>The pod's root directory: /x in the container is Root/x here.</summary>
    public string Root { get; }

    public void Mount(string mountPath, string hostPath)
    {
        mountPath = Path.TrimEndingDirectorySeparator(mountPath);
        if (mountPath == Path.TrimEndingDirectorySeparator(hostPath)) return;
        var link = Root + mountPath;
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Directory.CreateSymbolicLink(link, hostPath);
        mounts.Add((mountPath, hostPath));
    }

    /// <summary>A container path as this process must name it; anything else unchanged.</summary>
    public string Translate(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && value.StartsWith("--", StringComparison.Ordinal))
            return value[..(equals + 1)] + Translate(value[(equals + 1)..]);
        if (!value.StartsWith('/')) return value;
        var path = Path.TrimEndingDirectorySeparator(value);
        foreach (var (mountPath, _) in mounts)
        {
            if (path == mountPath || path.StartsWith(mountPath + "/", StringComparison.Ordinal) || mountPath.StartsWith(path + "/", StringComparison.Ordinal))
                return Root + value;
        }
        return value;
    }
}
