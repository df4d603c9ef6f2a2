using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Repository;

/// <summary>Opens a repository for writing, with errors that say what is wrong with the directory.</summary>
public static class RepositoryAccess
{
    /// <summary>Creates the domain's directories if needed and proves they are writable.</summary>
    public static DomainLayout PrepareDomain(string repositoryRoot, string host, string domain)
    {
        if (string.IsNullOrWhiteSpace(repositoryRoot))
            throw new InvalidInputException("--repository: a directory is required", "--repository");
        var layout = new RepositoryLayout(repositoryRoot).ForDomain(host, domain);
        var parent = Path.GetDirectoryName(Path.GetFullPath(repositoryRoot));
        if (!Directory.Exists(repositoryRoot) && parent is not null && !Directory.Exists(parent))
            throw new InvalidInputException($"--repository: {repositoryRoot} does not exist and neither does its parent {parent}", "--repository");
        try
        {
            Directory.CreateDirectory(layout.PointsDirectory);
            Directory.CreateDirectory(layout.JournalDirectory);
            var probe = Path.Combine(layout.Directory, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new FibackupException($"--repository: {layout.Directory} is not writable: {e.Message}", "--repository", e);
        }
        return layout;
    }
}
