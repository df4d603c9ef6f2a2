namespace FiBackup.Testing.KubeApi;

/// <summary>
/// The kubeconfig both kubectl and KubernetesClient read: one plain-HTTP cluster and a bearer token, the
/// admin's (unrestricted) or a service account's (authorized by RBAC).
/// </summary>
public static class Kubeconfig
{
    public const string ContextName = "fibackup-test";

    public static string Render(Uri server, string token = Auth.Authenticator.AdminToken, string defaultNamespace = "default", string? certificateAuthorityData = null) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server.ToString().TrimEnd('/')}{(certificateAuthorityData is null ? "" : $"\n    certificate-authority-data: {certificateAuthorityData}")}
        users:
        - name: {ContextName}
          user:
            token: {token}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}
            namespace: {defaultNamespace}
        current-context: {ContextName}
        preferences: {"{}"}

        """;

    public static void Write(string path, Uri server, string token = Auth.Authenticator.AdminToken, string defaultNamespace = "default", string? certificateAuthorityData = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Render(server, token, defaultNamespace, certificateAuthorityData));
    }
}
