using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// kube-apiserver's authorization chain here: system:masters is allowed everything without looking at a rule
/// (so the admin token costs nothing), everyone else is decided by RBAC over the stored roles and bindings.
/// The indexed <see cref="RbacPolicy"/> is rebuilt on the first request after an RBAC object changed.
/// </summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    private volatile RbacPolicy? _policy;

    public RbacPolicy Policy
    {
        get
        {
            if (_policy is { } current) return current;
            lock (store.Gate) return _policy ??= RbacPolicy.Build(store);
        }
    }

    /// <summary>Called under the store's gate after any Role, ClusterRole or binding was written.</summary>
    public void Invalidate() => _policy = null;

    public (bool Allowed, string Reason) Authorize(RequestAttributes request) =>
        request.User.IsPrivileged ? (true, "") : Policy.Authorize(request);
}
