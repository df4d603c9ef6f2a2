using System.Globalization;
using System.Text;

namespace FiBackup.Operator.Tests.Observability;

/// <summary>One sample line of the Prometheus text format: <c>name{label="value",...} value</c>.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A scrape of /metrics parsed line by line, so tests compare numbers and label sets
/// rather than search for substrings.</summary>
public sealed class Exposition
{
    private readonly Dictionary<string, string> _help = [];

    private Exposition(IReadOnlyList<Sample> samples, Dictionary<string, string> help)
    {
        Samples = samples;
        _help = help;
    }

    public IReadOnlyList<Sample> Samples { get; }

    public static async Task<Exposition> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static Exposition Parse(string text)
    {
        var samples = new List<Sample>();
        var help = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ');
                help[rest[..space]] = rest[(space + 1)..];
            }
            else if (!line.StartsWith('#'))
            {
                samples.Add(ParseSample(line));
            }
        }
        return new Exposition(samples, help);
    }

    public string? Help(string name) => _help.GetValueOrDefault(name);

    /// <summary>The samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public IEnumerable<Sample> Find(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    /// <summary>The value of the one sample of <paramref name="name"/> with exactly <paramref name="labels"/>.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = Find(name, labels).Where(s => s.Labels.Count == labels.Length).ToList();
        return Assert.Single(matches).Value;
    }

    /// <summary>The cumulative count of histogram <paramref name="name"/> at upper bound <paramref name="le"/>.</summary>
    public double Bucket(string name, double le, params (string Key, string Value)[] labels) =>
        Assert.Single(Find(name + "_bucket", labels),
            s => ParseValue(s.Labels["le"]) == le).Value;

    private static Sample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>();
        var i = line.IndexOfAny(['{', ' ']);
        var name = line[..i];
        if (line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq];
                i = eq + 1;
                Assert.Equal('"', line[i]);
                var value = new StringBuilder();
                for (i++; line[i] != '"'; i++)
                {
                    // Label values escape backslash, double quote and newline.
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }
                labels[key] = value.ToString();
                i++;
                if (line[i] == ',')
                    i++;
            }
            i++;
        }
        // What follows is the value, then optionally a timestamp.
        var fields = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new Sample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
