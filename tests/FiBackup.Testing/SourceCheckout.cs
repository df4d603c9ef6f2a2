namespace FiBackup.Testing;

/// <summary>Paths in the source checkout the tests run from (crds/, charts/, examples/, tools/), found above the test binaries.</summary>
public static class SourceCheckout
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FiBackup.Operator.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no FiBackup.Operator.sln above {AppContext.BaseDirectory}");
    }
}
