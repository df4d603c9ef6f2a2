namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>Who a request comes from, as an authenticator hands it to the authorizer (user.Info upstream).</summary>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups)
{
    public const string Masters = "system:masters";
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string AnonymousName = "system:anonymous";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The admin kubeconfig's user; system:masters bypasses authorization, as kube-apiserver's privileged group does.</summary>
    public static readonly UserInfo Admin = new("kubernetes-admin", "", [Masters, Authenticated]);

    /// <summary>A request without credentials while anonymous auth is enabled (kube-apiserver's default).</summary>
    public static readonly UserInfo Anonymous = new(AnonymousName, "", [Unauthenticated]);

    public bool IsPrivileged => Groups.Contains(Masters);

    public static string ServiceAccountName(string ns, string name) => $"{ServiceAccountPrefix}{ns}:{name}";

    public static UserInfo ForServiceAccount(string ns, string name, string uid) =>
        new(ServiceAccountName(ns, name), uid, ServiceAccountGroups(ns));

    public static IReadOnlyList<string> ServiceAccountGroups(string ns) =>
        ["system:serviceaccounts", $"system:serviceaccounts:{ns}", Authenticated];

    /// <summary>"system:serviceaccount:ns:name" -> (ns, name); null for any other user name.</summary>
    public static (string Namespace, string Name)? ParseServiceAccount(string userName)
    {
        if (!userName.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal)) return null;
        var parts = userName[ServiceAccountPrefix.Length..].Split(':');
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? (parts[0], parts[1]) : null;
    }
}
