using FiBackup.Engine.Repository;

namespace FiBackup.Testing.Repositories;

/// <summary>
/// A throwaway backup repository under /tmp, shaped exactly like one the backup engine writes,
/// built from real qcow2 images with qemu-img and qemu-io. Beside it (never inside it) every
/// restore point's expected disk content is kept as a raw image, written independently of the
/// repository, so a restore or a prune can be checked byte for byte with `qemu-img compare`.
/// </summary>
public sealed class TestRepository : IDisposable
{
    public const long DiskSize = 4 * 1024 * 1024;

    private TestRepository(string workDirectory)
    {
        WorkDirectory = workDirectory;
        Root = Path.Combine(workDirectory, "repo");
        ExpectedDirectory = Path.Combine(workDirectory, "expected");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(ExpectedDirectory);
        Layout = new RepositoryLayout(Root);
    }

    /// <summary>Holds the repository, the expected images and whatever scratch space a test wants (see <see cref="Scratch"/>).</summary>
    public string WorkDirectory { get; }
    public string Root { get; }
    public string ExpectedDirectory { get; }
    public RepositoryLayout Layout { get; }

    public static TestRepository Create() =>
        new(Directory.CreateTempSubdirectory("fibt-repo-").FullName);

    /// <summary>A domain of the repository whose backups this test will take; two disks unless told otherwise.</summary>
    public SyntheticDomain AddDomain(string host, string domain, params string[] targets) =>
        new(this, Layout.ForDomain(host, domain), targets.Length == 0 ? ["vda", "vdb"] : targets);

    /// <summary>A directory outside the repository for the test's own output (restores, copies).</summary>
    public string Scratch(string name)
    {
        var path = Path.Combine(WorkDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(WorkDirectory, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
