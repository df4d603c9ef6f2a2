using FiBackup.Operator.Controllers;

namespace FiBackup.Operator.Movers;

/// <summary>
/// Where the in-process mover finds a PersistentVolumeClaim's files: the claim ns/claim is mounted
/// (by the operator's pod spec, or by hand on a single node) at &lt;claims-dir&gt;/&lt;ns&gt;/&lt;claim&gt;, and a
/// policy's repository is the subPath inside it.
/// </summary>
public sealed class ClaimDirectories(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string ClaimDirectory(string @namespace, string claimName) => Path.Combine(Root, @namespace, claimName);

    /// <summary>
    /// The repository directory of a claim and subPath; an error naming the field when the claim is
    /// not mounted. The subPath was validated (relative, no '..'); the check here only guards the
    /// invariant that nothing outside the claim is ever written.
    /// </summary>
    public string Repository(string @namespace, string claimName, string? subPath, string claimField)
    {
        var claim = ClaimDirectory(@namespace, claimName);
        if (!Directory.Exists(claim))
            throw new OperatorProblem(OperatorReason.ClaimNotMounted,
                $"{claimField}: PersistentVolumeClaim \"{claimName}\" of namespace \"{@namespace}\" is not mounted at {claim} (the in-process mover expects <claims-dir>/<namespace>/<claim>)",
                retryable: true);
        if (string.IsNullOrEmpty(subPath)) return claim;
        var full = Path.GetFullPath(Path.Combine(claim, subPath));
        if (!full.StartsWith(claim + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full != claim)
            throw new OperatorProblem(OperatorReason.InvalidSpec, $"{claimField}: subPath \"{subPath}\" leaves the claim's directory", retryable: false);
        return full;
    }
}
