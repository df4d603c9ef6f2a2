using System.Text.RegularExpressions;

namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>
/// Orders API versions as Kubernetes does (version.CompareKubeAwareVersionStrings): GA before beta before
/// alpha, higher numbers first, then anything else alphabetically.
/// </summary>
public sealed partial class VersionPriority : IComparer<string>
{
    public static readonly VersionPriority Instance = new();

    [GeneratedRegex(@"^v(\d+)(?:(alpha|beta)(\d+))?$")]
    private static partial Regex KubeVersion();

    public int Compare(string? x, string? y) => Rank(y ?? "").CompareTo(Rank(x ?? "")) is var c && c != 0
        ? c : string.CompareOrdinal(x, y);

    private static (int Known, int Stability, long Major, long Minor) Rank(string version)
    {
        var m = KubeVersion().Match(version);
        if (!m.Success) return (0, 0, 0, 0);
        var stability = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = m.Groups[3].Success ? long.Parse(m.Groups[3].Value) : 0;
        return (1, stability, long.Parse(m.Groups[1].Value), minor);
    }
}
