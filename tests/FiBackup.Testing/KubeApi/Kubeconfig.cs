namespace FiBackup.Testing.KubeApi;

/// <summary>
/// The kubeconfig both kubectl and KubernetesClient read: one plain-HTTP cluster. The token is a placeholder
/// (KubernetesClient insists on some credential); the server authenticates nobody.
/// </summary>
public static class Kubeconfig
{
    public const string ContextName = "fibackup-test";

    public static string Render(Uri server, string defaultNamespace = "default") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server.ToString().TrimEnd('/')}
        users:
        - name: {ContextName}
          user:
            token: fibackup-test
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}
            namespace: {defaultNamespace}
        current-context: {ContextName}
        preferences: {"{}"}

        """;

    public static void Write(string path, Uri server)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Render(server));
    }
}
