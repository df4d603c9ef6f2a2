using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Selectors;

/// <summary>
/// A parsed fieldSelector ("metadata.name=x,status.phase!=Failed"). Only the fields a kind supports are
/// accepted: metadata.name and metadata.namespace everywhere, plus the kind's selectable fields.
/// </summary>
public sealed class FieldSelector
{
    private sealed record Term(string Field, bool Equal, string Value);

    private readonly List<Term> _terms;

    private FieldSelector(List<Term> terms) => _terms = terms;

    public static readonly FieldSelector Everything = new([]);

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<Term>();
        foreach (var part in SplitUnescaped(text, ','))
        {
            if (part.Length == 0) continue;
            Term term;
            var ne = part.IndexOf("!=", StringComparison.Ordinal);
            var eqeq = part.IndexOf("==", StringComparison.Ordinal);
            var eq = part.IndexOf('=');
            if (ne > 0) term = new(part[..ne], false, Unescape(part[(ne + 2)..]));
            else if (eqeq > 0) term = new(part[..eqeq], true, Unescape(part[(eqeq + 2)..]));
            else if (eq > 0) term = new(part[..eq], true, Unescape(part[(eq + 1)..]));
            else throw ApiErrors.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");

            if (term.Field is not ("metadata.name" or "metadata.namespace") && !type.SelectableFields.Contains(term.Field))
            {
                throw ApiErrors.BadRequest(type.IsCustom
                    ? $"\"{term.Field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                    : $"field label not supported: {term.Field}");
            }
            terms.Add(term);
        }
        return new FieldSelector(terms);
    }

    public bool IsEverything => _terms.Count == 0;

    /// <summary>The single name this selector pins, if any (kubectl wait/delete use metadata.name=X).</summary>
    public string? SingleName => _terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal)?.Value;

    public bool Matches(JsonObject obj)
    {
        foreach (var term in _terms)
        {
            var actual = obj.Walk(term.Field) switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                var other => other.ToJsonString(),
            };
            if ((actual == term.Value) != term.Equal) return false;
        }
        return true;
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\') { i++; continue; }
            if (text[i] != separator) continue;
            yield return text[start..i].Trim();
            start = i + 1;
        }
        yield return text[start..].Trim();
    }

    private static string Unescape(string value)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length) i++;
            sb.Append(value[i]);
        }
        return sb.ToString();
    }
}
