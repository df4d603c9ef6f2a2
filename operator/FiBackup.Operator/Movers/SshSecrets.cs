using FiBackup.Engine.Errors;
using FiBackup.Engine.Sources.Libvirt;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Autorest;

namespace FiBackup.Operator.Movers;

/// <summary>
/// Reads a kubernetes.io/ssh-auth Secret (keys <c>ssh-privatekey</c> and <c>known_hosts</c>) and
/// writes it as files only this process can read for the length of one engine call. Read on each
/// call, not cached: a rotated key is used by the next backup without a restart.
/// </summary>
public sealed class SshSecrets(IKubernetes client)
{
    public const string PrivateKeyKey = "ssh-privatekey";
    public const string KnownHostsKey = "known_hosts";

    /// <summary>The files and the URI that uses them, or null when the connection names no Secret. Dispose it after the call.</summary>
    public async Task<ConnectedUri> OpenAsync(SourceConnection connection, CancellationToken ct)
    {
        if (connection.Credentials is not { } secret) return new ConnectedUri(connection.Uri, null, "");
        k8s.Models.V1Secret found;
        try
        {
            found = await client.CoreV1.ReadNamespacedSecretAsync(secret.Name, secret.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Retryable: with GitOps the Secret often arrives after the policy.
            throw new OperatorProblem(OperatorReason.SecretNotFound,
                $"{secret.Field}: Secret \"{secret.Name}\" not found in namespace \"{secret.Namespace}\"", retryable: true);
        }
        catch (HttpOperationException e)
        {
            // A 403 is the Role missing `get secrets` (the chart grants it): retried, as RBAC may be fixed.
            throw new OperatorProblem(e.Response.StatusCode == System.Net.HttpStatusCode.Forbidden ? ErrorReason.PermissionDenied : OperatorReason.SecretNotFound,
                $"{secret.Field}: cannot read Secret \"{secret.Name}\" in namespace \"{secret.Namespace}\": {ApiErrors.Message(e)}", retryable: true);
        }
        IDictionary<string, byte[]> data = found.Data ?? new Dictionary<string, byte[]>();
        SshCredentialFiles files;
        try
        {
            files = SshCredentialFiles.Write($"Secret {secret.Namespace}/{secret.Name}",
                data.TryGetValue(PrivateKeyKey, out var key) ? key : [], data.TryGetValue(KnownHostsKey, out var knownHosts) ? knownHosts : []);
        }
        catch (InvalidInputException e)
        {
            // Retryable: fixing the Secret needs no change to the spec.
            throw new OperatorProblem(OperatorReason.InvalidSpec, $"{secret.Field}: {e.Message}", retryable: true);
        }
        try
        {
            return new ConnectedUri(files.ApplyTo(connection.Uri), files, $"Secret {secret.Namespace}/{secret.Name}");
        }
        catch (InvalidInputException e)
        {
            files.Dispose();
            throw new OperatorProblem(OperatorReason.InvalidSpec, $"{secret.Field}: {e.Message}", retryable: false);
        }
    }
}

/// <summary>The URI to connect with (it may name credential files: never show it, show the spec's URI) and the files it names.</summary>
public sealed class ConnectedUri(string uri, SshCredentialFiles? files, string secret) : IDisposable
{
    public string Uri { get; } = uri;

    /// <summary>
    /// Runs an engine call on <see cref="Uri"/>. Its errors may quote ssh ("Add correct host key in
    /// /tmp/…/known_hosts"), which names files that are gone a moment later: they are shown as the
    /// Secret's keys instead.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<string, Task<T>> call)
    {
        try
        {
            return await call(Uri);
        }
        catch (FibackupException e) when (files is not null && e.Message.Contains(files.Directory, StringComparison.Ordinal))
        {
            var message = e.Message
                .Replace(files.KnownHostsPath, $"the known_hosts of {secret}", StringComparison.Ordinal)
                .Replace(files.PrivateKeyPath, $"the ssh-privatekey of {secret}", StringComparison.Ordinal)
                .Replace(files.Directory, secret, StringComparison.Ordinal);
            throw new FibackupException(e.Reason, message, e.Field, e, e.Retryable);
        }
    }

    public void Dispose() => files?.Dispose();
}
