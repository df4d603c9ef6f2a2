namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>The API group and version of every fi-backup kind.</summary>
public static class ApiGroup
{
    public const string Group = "fibackup.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Category = "fibackup";
}
