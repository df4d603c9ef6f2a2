using FiBackup.Engine.Repository;
using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Restore;

/// <summary>
/// Everything a restore needs decided before it touches anything. The file part
/// (<see cref="RestoreMaterializer"/>) and the XML part (<see cref="DomainXmlRewriter"/>) are pure
/// functions of it; the libvirt part (checks that the name is free or the domain is shut off,
/// define, start) is a thin step on top.
/// </summary>
/// <param name="Disks">Disk targets to restore; null for every disk of the point.</param>
/// <param name="FileStem">Prefix of every restored file name (see <see cref="RestoreMaterializer"/>).</param>
/// <param name="Flatten">One self-contained image per disk instead of a copy of the chain.</param>
public sealed record RestorePlan(
    RestorePointManifest Point,
    IReadOnlyList<string>? Disks,
    string TargetDirectory,
    string FileStem,
    bool Flatten,
    RestoreMode Mode,
    bool Start = false)
{
    /// <summary>A stem that cannot collide with the domain's live images: the new name, or domain + point for in place.</summary>
    public static string DefaultFileStem(RestorePointManifest point, RestoreMode mode) => mode switch
    {
        // Encoded like repository folders: a domain name may hold spaces, ':' (a protocol prefix to qemu) or non-ASCII letters.
        RestoreMode.NewDomain newDomain => RepositoryName.Encode(EngineField.NewName, newDomain.Name),
        _ => $"{RepositoryName.Encode(EngineField.Domain, point.Domain)}-{point.Id}",
    };
}

/// <summary>One restored disk: the image the domain should use and every file created for it, top last.</summary>
public sealed record RestoredDisk(string Target, string Image, IReadOnlyList<string> Files)
{
    /// <summary>The files' total length, measured where they were written (the host's copies may be out of this machine's sight).</summary>
    public long Bytes { get; init; }
}
