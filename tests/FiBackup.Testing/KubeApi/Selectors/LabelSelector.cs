using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Selectors;

/// <summary>
/// A parsed labelSelector query ("app=web,tier!=db,env in (a,b),!legacy"), the syntax of apimachinery's labels.Parse.
/// </summary>
public sealed class LabelSelector
{
    private enum Op { Exists, NotExists, Equals, NotEquals, In, NotIn, GreaterThan, LessThan }

    private sealed record Requirement(string Key, Op Op, IReadOnlyList<string> Values);

    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static readonly LabelSelector Everything = new([]);

    public bool IsEverything => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var p = part.Trim();
            if (p.Length == 0) continue;
            requirements.Add(ParseRequirement(p, text));
        }
        return new LabelSelector(requirements);
    }

    private static Requirement ParseRequirement(string p, string whole)
    {
        if (p.StartsWith('!')) return new(p[1..].Trim(), Op.NotExists, []);
        var setIndex = FindWord(p, " notin ");
        if (setIndex > 0) return new(p[..setIndex].Trim(), Op.NotIn, SetValues(p[(setIndex + 7)..], whole));
        setIndex = FindWord(p, " in ");
        if (setIndex > 0) return new(p[..setIndex].Trim(), Op.In, SetValues(p[(setIndex + 4)..], whole));
        foreach (var (token, op) in new[] { ("!=", Op.NotEquals), ("==", Op.Equals), ("=", Op.Equals), (">", Op.GreaterThan), ("<", Op.LessThan) })
        {
            var i = p.IndexOf(token, StringComparison.Ordinal);
            if (i > 0) return new(p[..i].Trim(), op, [p[(i + token.Length)..].Trim()]);
        }
        if (p.Any(char.IsWhiteSpace) || p.Contains('(')) throw ApiErrors.BadRequest($"unable to parse requirement: found '{p}', expected: '=', '!=', '==', 'in', notin'");
        return new(p, Op.Exists, []);
    }

    private static int FindWord(string p, string word) => p.IndexOf(word, StringComparison.Ordinal);

    private static IReadOnlyList<string> SetValues(string rest, string whole)
    {
        rest = rest.Trim();
        if (!rest.StartsWith('(') || !rest.EndsWith(')'))
            throw ApiErrors.BadRequest($"unable to parse requirement: found '{rest}', expected: '('");
        return rest[1..^1].Split(',').Select(v => v.Trim()).ToList();
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    public bool Matches(JsonObject obj)
    {
        var labels = obj.Labels();
        foreach (var r in _requirements)
        {
            var has = labels is not null && labels.ContainsKey(r.Key);
            var value = has ? labels![r.Key]?.ToString() ?? "" : null;
            var ok = r.Op switch
            {
                Op.Exists => has,
                Op.NotExists => !has,
                Op.Equals => has && value == r.Values[0],
                Op.NotEquals => !has || value != r.Values[0],
                Op.In => has && r.Values.Contains(value),
                Op.NotIn => !has || !r.Values.Contains(value),
                Op.GreaterThan => has && long.TryParse(value, out var g) && long.TryParse(r.Values[0], out var gv) && g > gv,
                Op.LessThan => has && long.TryParse(value, out var l) && long.TryParse(r.Values[0], out var lv) && l < lv,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}
