namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// The authenticated user of the request being served, for the kind rules that depend on who writes
/// (RBAC escalation prevention). Null for the server's own controllers, which act as the system.
/// </summary>
public static class RequestUser
{
    private static readonly AsyncLocal<UserInfo?> CurrentUser = new();

    public static UserInfo? Current
    {
        get => CurrentUser.Value;
        set => CurrentUser.Value = value;
    }
}
