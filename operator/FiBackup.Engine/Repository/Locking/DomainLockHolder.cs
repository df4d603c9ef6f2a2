using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FiBackup.Engine.Repository.Locking;

/// <summary>
/// Who holds a domain lock, as the holder writes it into the lock file, so a second run can say
/// what it is waiting for.
/// </summary>
public sealed record DomainLockHolder(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("started")] DateTimeOffset Started,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("domain")] string? Domain)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>The holder written in a lock file; null when the file is empty or not ours (e.g. still being written).</summary>
    public static DomainLockHolder? TryParse(ReadOnlySpan<byte> json)
    {
        if (json.Trim((byte)'\n').IsEmpty) return null;
        try { return JsonSerializer.Deserialize<DomainLockHolder>(json); }
        catch (JsonException) { return null; }
    }

    /// <summary>"fibackup backup (pid 1234) started 2026-11-27T02:00:00Z", plus the host when it is another one.</summary>
    public override string ToString() =>
        $"{Description} (pid {Pid}{(Host == Environment.MachineName ? "" : $" on {Host}")}) started "
        + Started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
