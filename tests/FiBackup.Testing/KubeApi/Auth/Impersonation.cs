using FiBackup.Testing.KubeApi.Errors;
using Microsoft.AspNetCore.Http;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// Impersonate-User / Impersonate-Group / Impersonate-Uid headers (kubectl --as, --as-group, --as-uid), as the
/// apiserver's impersonation filter: each one needs the impersonate verb on users, serviceaccounts, groups or
/// uids (the admin has it), and the request then runs as the impersonated user.
/// </summary>
public static class Impersonation
{
    public static UserInfo Apply(HttpRequest request, UserInfo requester, RbacAuthorizer authorizer)
    {
        var userName = request.Headers["Impersonate-User"].ToString();
        var groups = request.Headers["Impersonate-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        var uid = request.Headers["Impersonate-Uid"].ToString();
        if (userName.Length == 0)
        {
            if (groups.Count > 0 || uid.Length > 0)
                throw ApiErrors.BadRequest("requested impersonation without impersonating a user");
            return requester;
        }

        var serviceAccount = UserInfo.ParseServiceAccount(userName);
        Check(requester, authorizer, serviceAccount is { } sa
            ? new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, Resource = "serviceaccounts", Namespace = sa.Namespace, Name = sa.Name }
            : new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, Resource = "users", Name = userName });
        foreach (var group in groups)
            Check(requester, authorizer, new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, Resource = "groups", Name = group });
        if (uid.Length > 0)
            Check(requester, authorizer, new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, ApiGroup = "authentication.k8s.io", Resource = "uids", Name = uid });

        // A service account's groups follow from its name when none are asked for.
        if (groups.Count == 0 && serviceAccount is { } account)
            groups = ["system:serviceaccounts", $"system:serviceaccounts:{account.Namespace}"];
        if (userName == UserInfo.AnonymousName)
        {
            if (!groups.Contains(UserInfo.Unauthenticated)) groups.Add(UserInfo.Unauthenticated);
        }
        else if (!groups.Contains(UserInfo.Authenticated) && !groups.Contains(UserInfo.Unauthenticated))
            groups.Add(UserInfo.Authenticated);
        return new UserInfo(userName, uid, groups);
    }

    private static void Check(UserInfo requester, RbacAuthorizer authorizer, RequestAttributes wanted)
    {
        var (allowed, reason) = authorizer.Authorize(wanted);
        if (!allowed) throw ApiErrors.Forbidden(wanted, reason);
    }
}
