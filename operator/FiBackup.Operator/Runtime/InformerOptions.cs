namespace FiBackup.Operator.Runtime;

/// <summary>How an <see cref="Informer{T}"/> watches; the defaults suit a real cluster, tests shorten them.</summary>
public sealed record InformerOptions
{
    /// <summary>
    /// A watch that delivers no event and no bookmark for this long is presumed dead (a half-open connection
    /// after a load balancer or node failure) and restarted. The API server sends bookmarks about once a
    /// minute, so a quiet but healthy watch never reaches this.
    /// </summary>
    public TimeSpan WatchdogTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay after a failed list or watch, doubled per failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Asks the server to end each watch after this long (client-go picks 5–10 minutes); null: its default.</summary>
    public int? WatchTimeoutSeconds { get; init; } = 600;
}
