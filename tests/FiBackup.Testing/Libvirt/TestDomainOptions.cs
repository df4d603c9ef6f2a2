namespace FiBackup.Testing.Libvirt;

/// <summary>Less common shapes of a test domain.</summary>
public sealed record TestDomainOptions
{
    /// <summary>
    /// Disk targets (e.g. "vda") whose image is an overlay on a template base image, as when a VM
    /// was cloned from a template: <c>template-vda.qcow2 &lt;- vda.qcow2</c>, absolute backing path.
    /// </summary>
    public IReadOnlyCollection<string> DisksWithBackingChain { get; init; } = [];

    /// <summary>Adds an IDE cdrom (hdc) backed by a small raw file, which backups must skip.</summary>
    public bool Cdrom { get; init; }

    /// <summary>Adds the QEMU guest agent channel; no agent answers on it (there is no guest OS).</summary>
    public bool GuestAgentChannel { get; init; }

    /// <summary>Starts the domain paused (only with start: true).</summary>
    public bool StartPaused { get; init; }

    /// <summary>Image file names by disk target (default: &lt;target&gt;.qcow2), e.g. two disks x.qcow2 and x.img.</summary>
    public IReadOnlyDictionary<string, string> DiskFileNames { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A name for the domain between the "fibt-" prefix (which cleanup looks for) and the random
    /// suffix, e.g. "web server é" gives "fibt-web server é-&lt;random&gt;"; libvirt allows spaces and
    /// non-ASCII letters. Its images stay in a directory named by the random part alone.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Disk targets whose image is a raw file (driver type raw) instead of qcow2.</summary>
    public IReadOnlyCollection<string> RawDisks { get; init; } = [];

    /// <summary>
    /// Disk targets that are block devices: a loop device (losetup) over a zeroed raw file, attached
    /// as &lt;disk type='block'&gt; with driver type raw; detached when the domain is removed.
    /// </summary>
    public IReadOnlyCollection<string> LoopDeviceDisks { get; init; } = [];
}

/// <summary>One disk of a test domain: its target and the image it was created with.</summary>
public sealed record TestDisk(string Target, string Path, string? TemplatePath, string Format = "qcow2", bool BlockDevice = false);
