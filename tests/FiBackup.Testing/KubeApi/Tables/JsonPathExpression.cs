using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Tables;

/// <summary>
/// The JSONPath subset CRD printer columns use (client-go jsonpath): .field, ['field'], [n], [*], .*,
/// and filters such as [?(@.type=="Ready")]. Missing keys yield no result rather than an error.
/// </summary>
public sealed class JsonPathExpression
{
    private abstract record Step;
    private sealed record Field(string Name) : Step;
    private sealed record Index(int Value) : Step;
    private sealed record Wildcard : Step;
    private sealed record Filter(string[] Path, string Operator, string Value) : Step;

    private readonly List<Step> _steps;

    private JsonPathExpression(List<Step> steps) => _steps = steps;

    public static JsonPathExpression Parse(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith('{') && text.EndsWith('}')) text = text[1..^1];
        if (text.StartsWith('$')) text = text[1..];
        var steps = new List<Step>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                i++;
                var start = i;
                while (i < text.Length && text[i] != '.' && text[i] != '[') i++;
                var name = text[start..i];
                if (name == "*") steps.Add(new Wildcard());
                else if (name.Length > 0) steps.Add(new Field(name));
            }
            else if (text[i] == '[')
            {
                var end = FindClosingBracket(text, i);
                var inner = text[(i + 1)..end].Trim();
                steps.Add(ParseBracket(inner, expression));
                i = end + 1;
            }
            else throw new FormatException($"unrecognized JSONPath {expression}");
        }
        return new JsonPathExpression(steps);
    }

    private static int FindClosingBracket(string text, int open)
    {
        var quote = '\0';
        for (var i = open + 1; i < text.Length; i++)
        {
            if (quote != '\0') { if (text[i] == quote) quote = '\0'; continue; }
            if (text[i] is '\'' or '"') quote = text[i];
            else if (text[i] == ']') return i;
        }
        throw new FormatException("unterminated [ in JSONPath");
    }

    private static Step ParseBracket(string inner, string expression)
    {
        if (inner == "*") return new Wildcard();
        if (int.TryParse(inner, out var index)) return new Index(index);
        if (inner.Length >= 2 && inner[0] is '\'' or '"') return new Field(inner[1..^1]);
        if (inner.StartsWith("?(") && inner.EndsWith(')'))
        {
            var condition = inner[2..^1].Trim();
            foreach (var op in new[] { "==", "!=" })
            {
                var at = condition.IndexOf(op, StringComparison.Ordinal);
                if (at < 0) continue;
                var left = condition[..at].Trim();
                var right = condition[(at + op.Length)..].Trim().Trim('"', '\'');
                if (!left.StartsWith("@.")) break;
                return new Filter(left[2..].Split('.'), op, right);
            }
        }
        throw new FormatException($"unsupported JSONPath {expression}");
    }

    public List<JsonNode?> Evaluate(JsonNode? root)
    {
        var current = new List<JsonNode?> { root };
        foreach (var step in _steps)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
            {
                switch (step)
                {
                    case Field f when node is JsonObject o && o.TryGetPropertyValue(f.Name, out var v):
                        next.Add(v);
                        break;
                    case Index ix when node is JsonArray a:
                        var at = ix.Value < 0 ? a.Count + ix.Value : ix.Value;
                        if (at >= 0 && at < a.Count) next.Add(a[at]);
                        break;
                    case Wildcard when node is JsonArray a:
                        next.AddRange(a);
                        break;
                    case Wildcard when node is JsonObject o:
                        next.AddRange(o.Select(p => p.Value));
                        break;
                    case Filter filter when node is JsonArray a:
                        next.AddRange(a.Where(item => Holds(item, filter)));
                        break;
                }
            }
            current = next;
        }
        return current;
    }

    private static bool Holds(JsonNode? item, Filter filter)
    {
        JsonNode? value = item;
        foreach (var part in filter.Path) value = (value as JsonObject)?[part];
        if (value is null) return false;
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : JsonText.Serialize(value);
        return filter.Operator == "==" ? text == filter.Value : text != filter.Value;
    }
}
