using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// Bound service account tokens: JWTs with kube-apiserver's claims (iss, sub, aud, exp, and kubernetes.io's
/// namespace/serviceaccount name and uid), signed with a key private to this server (HS256, where upstream
/// uses an RSA or EC key; clients never verify the signature). A token is tied to its ServiceAccount's uid,
/// so deleting the ServiceAccount, or recreating one of the same name, invalidates it.
/// </summary>
public sealed class ServiceAccountTokens(TimeProvider time)
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    public sealed record Claims(string Namespace, string Name, string Uid, DateTimeOffset Expires);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Claims> _verified = new(StringComparer.Ordinal);

    public string Issue(string ns, string name, string uid, TimeSpan lifetime, IReadOnlyList<string> audiences, out DateTimeOffset expires)
    {
        var now = time.GetUtcNow();
        expires = now + lifetime;
        var header = new JsonObject { ["alg"] = "HS256", ["kid"] = "fibackup-kubeapi", ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray()),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = new JsonObject
            {
                ["namespace"] = ns,
                ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = uid },
            },
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["sub"] = UserInfo.ServiceAccountName(ns, name),
        };
        var signed = $"{Base64Url(JsonText.SerializeToUtf8(header))}.{Base64Url(JsonText.SerializeToUtf8(payload))}";
        return $"{signed}.{Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signed)))}";
    }

    /// <summary>The claims of a token this server signed and that has not expired; null otherwise.</summary>
    public Claims? Verify(string token)
    {
        if (!_verified.TryGetValue(token, out var claims))
        {
            claims = Decode(token);
            if (claims is null) return null;
            _verified[token] = claims;
        }
        return claims.Expires > time.GetUtcNow() ? claims : null;
    }

    private Claims? Decode(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        var expected = Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}")));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2]))) return null;
        // The signature matched, so the payload is one Issue wrote.
        if (JsonText.Parse(FromBase64Url(parts[1])) is not JsonObject payload || payload["kubernetes.io"] is not JsonObject kubernetes) return null;
        var ns = kubernetes.GetString("namespace");
        var name = kubernetes.Walk("serviceaccount.name")?.ToString();
        var uid = kubernetes.Walk("serviceaccount.uid")?.ToString();
        var exp = payload.GetInt64("exp");
        if (ns is null || name is null || uid is null || exp is null) return null;
        return new Claims(ns, name, uid, DateTimeOffset.FromUnixTimeSeconds(exp.Value));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Convert.FromBase64String(padded);
    }
}
