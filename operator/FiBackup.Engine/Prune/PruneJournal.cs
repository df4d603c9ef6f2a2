using System.Text.Json;
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
}

internal static partial class PruneJournal
{
    [GeneratedRegex(@"^prune-(?<id>\d{8}T\d{6}Z)\.json$")]
    private static partial Regex EntryName();

    [GeneratedRegex(@"\.p(?<id>\d{8}T\d{6}Z)\.qcow2(\.partial)?$")]
    private static partial Regex WrittenFileName();

    public static string PathFor(DomainLayout layout, string id) => Path.Combine(layout.JournalDirectory, $"prune-{id}.json");

    public static IReadOnlyList<string> Entries(DomainLayout layout) =>
        Directory.Exists(layout.JournalDirectory)
            ? Directory.EnumerateFiles(layout.JournalDirectory).Where(f => EntryName().IsMatch(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList()
            : [];

    public static Task WriteAsync(DomainLayout layout, PruneJournalEntry entry, CancellationToken ct) =>
        AtomicFile.WriteAllBytesAsync(PathFor(layout, entry.Id), JsonSerializer.SerializeToUtf8Bytes(entry, RepositoryJson.Options), ct);

    public static PruneJournalEntry Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<PruneJournalEntry>(File.ReadAllBytes(path), RepositoryJson.Options)
                   ?? throw new InvalidDataException("empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"prune journal entry {path} is unreadable: {e.Message}; move it away and run the prune again", e);
        }
    }

    public static void Delete(string path)
    {
        File.Delete(path);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// A prune id later than every one this domain shows (journal entries and file names), so the
    /// names of the files this prune writes were never used before.
    /// </summary>
    public static string NewId(DomainLayout layout, DateTimeOffset now)
    {
        var candidate = new RestorePointId(now);
        var used = Entries(layout).Select(f => EntryName().Match(Path.GetFileName(f)).Groups["id"].Value).ToList();
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
