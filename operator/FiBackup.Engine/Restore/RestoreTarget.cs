using System.Runtime.InteropServices;
using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Restore;

/// <summary>
/// Where a restore may put images: anywhere but inside the repository. Restored images there
/// would be files a domain uses in a directory fibackup manages (a prune sweeps chain folders; a
/// repository is moved, copied and verified as a whole), so such a target is refused before
/// anything is written. Symbolic links are resolved, so a link into the repository is refused too.
/// </summary>
public static partial class RestoreTarget
{
    public static void EnsureOutsideRepository(string repositoryRoot, string targetDirectory)
    {
        var repository = WithSeparator(RealPath(repositoryRoot));
        var target = WithSeparator(RealPath(targetDirectory));
        if (target.StartsWith(repository, StringComparison.Ordinal))
            throw new InvalidInputException(
                $"target directory {targetDirectory} is inside the repository {repositoryRoot}; restore into a directory outside the repository (fibackup manages every file in it)",
                EngineField.TargetDirectory);
    }

    private static string WithSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;

    /// <summary>
    /// The absolute path with every symbolic link of its existing part resolved (realpath(3)); the
    /// part that does not exist yet is appended as given.
    /// </summary>
    private static string RealPath(string path)
    {
        var existing = Path.GetFullPath(path);
        var missing = new Stack<string>();
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = realpath(existing, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return Path.Combine([existing, .. missing]);
        try
        {
            return Path.Combine([Marshal.PtrToStringUTF8(resolved)!, .. missing]);
        }
        finally
        {
            free(resolved);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);
}
