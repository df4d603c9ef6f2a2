namespace FiBackup.Testing.Kubelet;

/// <summary>How a <see cref="LocalKubelet"/> turns pod specs into local processes.</summary>
public sealed record LocalKubeletOptions
{
    /// <summary>The node this kubelet is: pods bound to another spec.nodeName stay Pending (a node that is down).</summary>
    public string NodeName { get; init; } = "local";

    /// <summary>
    /// A container's command[0] as host argv prefixes: the image's entrypoint, e.g. "fibackup" ->
    /// ["dotnet", ".../fibackup.dll"]. Commands not listed run as they are (/bin/sh).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Commands { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Where PVC NS/CLAIM's files are: ClaimsDirectory/NS/CLAIM (the cluster's claims, as the in-process mover sees them).</summary>
    public string? ClaimsDirectory { get; init; }

    /// <summary>The bearer token of a pod's service account (namespace, name); null: the API server issues one.</summary>
    public Func<string, string, string>? ServiceAccountToken { get; init; }

    /// <summary>How often the kubelet looks at Jobs and pods (it polls the API: a list is a watch's level-triggered twin).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}
