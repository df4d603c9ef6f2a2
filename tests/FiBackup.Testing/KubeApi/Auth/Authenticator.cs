using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Storage;
using Microsoft.AspNetCore.Http;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// Bearer-token authentication as kube-apiserver does it with anonymous auth enabled (its default): the admin
/// token is the kubeconfig's cluster admin (system:masters); a service account token is its ServiceAccount
/// while that still exists with the uid the token names; no credentials is system:anonymous over HTTPS; any
/// other token (unknown, expired, of a deleted ServiceAccount) is 401 Unauthorized, never anonymous.
/// Without credentials on the plain-HTTP port the caller is the admin, as on kube-apiserver's former
/// --insecure-port: kubectl sends no bearer token over plain HTTP, and the admin kubeconfig points there.
/// </summary>
public sealed class Authenticator(ObjectStore store, ServiceAccountTokens tokens)
{
    /// <summary>The admin kubeconfig's token.</summary>
    public const string AdminToken = "fibackup-test";

    private static readonly Resources.GroupResource ServiceAccounts = new("", "serviceaccounts");

    public UserInfo Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        if (token.Length == 0) return request.IsHttps ? UserInfo.Anonymous : UserInfo.Admin;
        if (token == AdminToken) return UserInfo.Admin;

        if (tokens.Verify(token) is { } claims)
        {
            string? uid;
            lock (store.Gate) uid = store.Get(ServiceAccounts, claims.Namespace, claims.Name)?.Uid();
            if (uid == claims.Uid) return UserInfo.ForServiceAccount(claims.Namespace, claims.Name, claims.Uid);
        }
        throw ApiErrors.Unauthorized();
    }
}
