using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FiBackup.Engine.Repository;

/// <summary>
/// The id of a restore point: the UTC second its snapshot was taken, as yyyyMMddTHHmmssZ.
/// Ordered like time; unique per domain (a second run in the same second waits for the next one).
/// </summary>
public readonly record struct RestorePointId : IComparable<RestorePointId>
{
    public const string Format = "yyyyMMdd'T'HHmmss'Z'";

    public DateTimeOffset Time { get; }

    public RestorePointId(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        Time = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second, TimeSpan.Zero);
    }

    public static RestorePointId Parse(string text) =>
        TryParse(text, out var id) ? id
            : throw new FormatException($"\"{text}\" is not a restore point id (expected yyyyMMddTHHmmssZ, e.g. 20261127T020000Z)");

    public static bool TryParse([NotNullWhen(true)] string? text, out RestorePointId id)
    {
        if (DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            id = new RestorePointId(time);
            return true;
        }
        id = default;
        return false;
    }

    public RestorePointId NextSecond() => new(Time.AddSeconds(1));

    public int CompareTo(RestorePointId other) => Time.CompareTo(other.Time);
    public static bool operator <(RestorePointId a, RestorePointId b) => a.CompareTo(b) < 0;
    public static bool operator >(RestorePointId a, RestorePointId b) => a.CompareTo(b) > 0;
    public static bool operator <=(RestorePointId a, RestorePointId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(RestorePointId a, RestorePointId b) => a.CompareTo(b) >= 0;

    public override string ToString() => Time.ToString(Format, CultureInfo.InvariantCulture);
}
