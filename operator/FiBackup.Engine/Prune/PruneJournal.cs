using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Prune;

/// <summary>
/// journal/prune-&lt;id&gt;.json: written before a prune changes anything, deleted when it has
/// finished. One left behind means a prune was interrupted; recovery finishes its deletions.
/// The id (a UTC second, like a restore point id) also marks the files the prune writes.
/// </summary>
public sealed record PruneJournalEntry
{
    public string Operation { get; init; } = "prune";
    public required string Id { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required string Policy { get; init; }
    public required IReadOnlyList<string> Keep { get; init; }
    public required IReadOnlyList<string> Drop { get; init; }

    [JsonIgnore]
    public string Name => PruneJournal.Prefix + Id;
}

/// <summary>What is prune's own in the journal (stored through <see cref="JournalStore"/>): the record names and the prune id.</summary>
internal static partial class PruneJournal
{
    public const string Prefix = "prune-";

    /// <summary>What to do about an entry that cannot be read, added to the error.</summary>
    public const string IfUnreadable = "move it away and run the prune again";

    [GeneratedRegex(@"^prune-(?<id>\d{8}T\d{6}Z)$")]
    private static partial Regex EntryName();

    [GeneratedRegex(@"\.p(?<id>\d{8}T\d{6}Z)\.qcow2(\.partial)?$")]
    private static partial Regex WrittenFileName();

    /// <summary>Names of the prune entries, oldest first; another record that only starts with "prune-" is not one.</summary>
    public static IReadOnlyList<string> Entries(JournalStore journals) =>
        journals.List(Prefix).Where(name => EntryName().IsMatch(name)).ToList();

    /// <summary>
    /// A prune id later than every one this domain shows (journal entries and file names), so the
    /// names of the files this prune writes were never used before.
    /// </summary>
    public static string NewId(DomainLayout layout, DateTimeOffset now)
    {
        var candidate = new RestorePointId(now);
        var used = Entries(new JournalStore(layout)).Select(name => EntryName().Match(name).Groups["id"].Value).ToList();
        var chains = Path.Combine(layout.Directory, DomainLayout.ChainsFolder);
        if (Directory.Exists(chains))
            used.AddRange(Directory.EnumerateFiles(chains, "*", SearchOption.AllDirectories)
                .Select(f => WrittenFileName().Match(f)).Where(m => m.Success).Select(m => m.Groups["id"].Value));
        foreach (var id in used.Select(RestorePointId.Parse))
        {
            if (id >= candidate) candidate = id.NextSecond();
        }
        return candidate.ToString();
    }
}
