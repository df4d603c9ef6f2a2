namespace FiBackup.Testing.KubeApi;

/// <summary>Knobs for a <see cref="KubeApiServer"/>; the defaults suit tests (a free port, quiet, fast bookmarks).</summary>
public sealed record KubeApiServerOptions
{
    /// <summary>0 picks a free port, so many servers can run side by side.</summary>
    public int Port { get; init; }

    /// <summary>Where to write the kubeconfig; by default a file in a private temporary directory removed on dispose.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>How many recent changes a watch can resume from before getting 410 Gone.</summary>
    public int HistoryWindow { get; init; } = 1000;

    /// <summary>How often watches that allow bookmarks get one (kube-apiserver: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Namespaces that exist from the start.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>Receives one line per request ("GET /api/v1/namespaces/default/secrets 200 (3 ms)") when set.</summary>
    public Action<string>? RequestLog { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
