using System.Text.RegularExpressions;
using k8s.Models;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Standard status conditions (metav1.Condition) as cluster-api's util/conditions keeps them:
/// lastTransitionTime moves only when the status value changes, so `kubectl wait` and dashboards see real
/// transitions, not every message update.
/// </summary>
public static partial class Conditions
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    /// <summary>
    /// Sets the condition of <paramref name="type"/>; returns whether anything changed. Reasons are CamelCase
    /// identifiers (metav1.Condition's pattern, starting upper-case) because tools match on them.
    /// </summary>
    public static bool Set(this IList<V1Condition> conditions, string type, string status, string reason,
        string message, long? observedGeneration, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        if (status is not (True or False or Unknown))
            throw new ArgumentException($"Condition {type}: status must be True, False or Unknown, not \"{status}\".", nameof(status));
        if (!ReasonPattern().IsMatch(reason))
            throw new ArgumentException($"Condition {type}: reason \"{reason}\" must be CamelCase (e.g. \"InvalidSpec\").", nameof(reason));

        var existing = conditions.Get(type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type, Status = status, Reason = reason, Message = message,
                ObservedGeneration = observedGeneration, LastTransitionTime = Truncate(now),
            });
            return true;
        }
        var changed = existing.Status != status || existing.Reason != reason || existing.Message != message
            || existing.ObservedGeneration != observedGeneration;
        if (existing.Status != status) existing.LastTransitionTime = Truncate(now);
        existing.Status = status;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = observedGeneration;
        return changed;
    }

    public static V1Condition? Get(this IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(this IEnumerable<V1Condition>? conditions, string type) =>
        conditions.Get(type)?.Status == True;

    // The API stores RFC 3339 seconds; keeping fractions would make every re-read look like a change.
    private static DateTime Truncate(DateTimeOffset now) =>
        new(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    [GeneratedRegex("^[A-Z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")]
    private static partial Regex ReasonPattern();
}
