using System.Text.Json;

namespace FiBackup.Engine.Repository;

/// <summary>
/// The records of operations in flight for one domain (journal/&lt;name&gt;.json). Each step of an
/// operation rewrites its record atomically before moving on, so after a crash the next run reads
/// exactly how far it got. A record is deleted when its operation is finished or rolled back.
/// </summary>
public sealed class JournalStore(DomainLayout layout)
{
    public DomainLayout Layout => layout;

    public string PathOf(string name) => Path.Combine(layout.JournalDirectory, SafeName.Validate("journal record", name) + ".json");

    public async Task WriteAsync<T>(string name, T record, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, RepositoryJson.Options);
        await AtomicFile.WriteAllBytesAsync(PathOf(name), bytes, ct, replaceExisting: true);
    }

    /// <summary>Names of the records whose name starts with <paramref name="prefix"/>, oldest first.</summary>
    public IReadOnlyList<string> List(string prefix)
    {
        if (!Directory.Exists(layout.JournalDirectory)) return [];
        return Directory.EnumerateFiles(layout.JournalDirectory, prefix + "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <param name="ifUnreadable">What the user should do about a record that cannot be read, added to the error.</param>
    public T Read<T>(string name, string? ifUnreadable = null) =>
        Read(name, document => document.Deserialize<T>(RepositoryJson.Options), ifUnreadable);

    /// <summary>Reads a record whose shape changed between versions: <paramref name="parse"/> looks at the document and picks the shape.</summary>
    public T Read<T>(string name, Func<JsonElement, T?> parse, string? ifUnreadable = null)
    {
        var path = PathOf(name);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return parse(document.RootElement) ?? throw new InvalidDataException("empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"journal record {path} is unreadable: {e.Message}" + (ifUnreadable is null ? "" : "; " + ifUnreadable), e);
        }
    }

    public void Delete(string name)
    {
        File.Delete(PathOf(name));
        AtomicFile.SyncDirectory(layout.JournalDirectory);
    }
}
