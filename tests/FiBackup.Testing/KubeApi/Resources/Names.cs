namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>A group and resource ("vmbackups.fibackup.io", or "secrets" in the core group).</summary>
public readonly record struct GroupResource(string Group, string Resource)
{
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}

/// <summary>A group and kind ("VmBackup.fibackup.io", or "Secret" in the core group).</summary>
public readonly record struct GroupKind(string Group, string Kind)
{
    public override string ToString() => Group.Length == 0 ? Kind : $"{Kind}.{Group}";
}

public readonly record struct GroupVersion(string Group, string Version)
{
    /// <summary>The apiVersion field value: "v1" for core, "group/version" otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The URL prefix that serves this group-version.</summary>
    public string PathPrefix => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The key of this group-version in the OpenAPI v3 index ("api/v1", "apis/g/v").</summary>
    public string OpenApiKey => PathPrefix.TrimStart('/');

    public static GroupVersion FromApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? new("", apiVersion) : new(apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    public override string ToString() => ApiVersion;
}

/// <summary>What happens to dependents when an owner is deleted (metav1.DeletionPropagation).</summary>
public enum PropagationPolicy { Background, Foreground, Orphan }
