using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FiBackup.Testing.ArgoCd;

/// <summary>What an Argo CD health.lua returned: hs.status and hs.message.</summary>
public sealed record HealthStatus(string Status, string Message)
{
    public override string ToString() => $"{Status}: \"{Message}\"";
}

/// <summary>
/// Runs an Argo CD resource health check (health.lua) through the real Lua 5.1 interpreter (Debian's
/// lua5.1, the dialect of Argo CD's gopher-lua) the way Argo CD calls it: the object as a global table
/// <c>obj</c> (JSON objects as tables, arrays as 1-based sequences, numbers as numbers, null as nil),
/// the script's return value as the health. Fails loudly when lua5.1 is missing.
/// </summary>
public static partial class LuaHealthCheck
{
    /// <summary>LUA overrides; otherwise lua5.1 from /usr/bin or PATH.</summary>
    public static string Executable { get; } = Locate();

    public static string MissingMessage =>
        "lua5.1 is not installed (looked at $LUA, /usr/bin/lua5.1 and PATH): run scripts/setup.sh, which installs Debian's lua5.1";

    private static string Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("LUA") is { Length: > 0 } fromEnv) candidates.Add(fromEnv);
        candidates.Add("/usr/bin/lua5.1");
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "lua5.1")));
        return candidates.FirstOrDefault(File.Exists) ?? "";
    }

    /// <summary>Runs <paramref name="healthLuaPath"/> on the object in <paramref name="objectYaml"/> (YAML or JSON).</summary>
    public static async Task<HealthStatus> RunAsync(string healthLuaPath, string objectYaml, CancellationToken ct = default)
    {
        if (Executable.Length == 0) throw new InvalidOperationException(MissingMessage);
        var harness = Path.Combine(Path.GetTempPath(), $"fibackup-health-{Guid.NewGuid():N}.lua");
        // The script runs as a chunk of its own (loadfile), as Argo CD runs it: `obj` is a global, `return hs` its result.
        await File.WriteAllTextAsync(harness, $"""
            obj = {ToLuaTable(objectYaml)}
            local script = assert(loadfile({Quote(Path.GetFullPath(healthLuaPath))}))
            local hs = script()
            if type(hs) ~= "table" then error("health.lua returned " .. type(hs) .. ", not a table") end
            io.write(tostring(hs.status or ""), "\0", tostring(hs.message or ""))
            """, ct);
        try
        {
            var info = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
            };
            info.ArgumentList.Add(harness);
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Executable}");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{healthLuaPath} failed (lua5.1 exit {process.ExitCode}): {await stderr}");
            var parts = (await stdout).Split('\0', 2);
            return new HealthStatus(parts[0], parts.Length > 1 ? parts[1] : "");
        }
        finally
        {
            File.Delete(harness);
        }
    }

    /// <summary>The Lua table constructor for one YAML (or JSON) document.</summary>
    public static string ToLuaTable(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count != 1) throw new ArgumentException($"expected one YAML document, found {stream.Documents.Count}");
        var text = new StringBuilder();
        Write(stream.Documents[0].RootNode, text);
        return text.ToString();
    }

    private static void Write(YamlNode node, StringBuilder text)
    {
        switch (node)
        {
            case YamlMappingNode map:
                text.Append('{');
                foreach (var (key, value) in map.Children)
                {
                    if (IsNull(value)) continue;   // a JSON null is nil in Argo CD's table: the key is absent
                    text.Append('[').Append(Quote(((YamlScalarNode)key).Value ?? "")).Append("]=");
                    Write(value, text);
                    text.Append(',');
                }
                text.Append('}');
                break;
            case YamlSequenceNode list:
                text.Append('{');
                foreach (var item in list.Children)
                {
                    Write(item, text);
                    text.Append(',');
                }
                text.Append('}');
                break;
            case YamlScalarNode scalar:
                text.Append(Scalar(scalar));
                break;
            default:
                throw new ArgumentException($"unsupported YAML node {node.NodeType}");
        }
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    // YAML 1.2 core schema for plain scalars (what kubectl -o yaml writes); quoted scalars are strings.
    private static string Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return Quote(value);
        if (value is "true" or "True" or "TRUE") return "true";
        if (value is "false" or "False" or "FALSE") return "false";
        if (NumberPattern().IsMatch(value))
            return double.Parse(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
        return Quote(value);
    }

    [GeneratedRegex(@"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")]
    private static partial Regex NumberPattern();

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                default:
                    if (c < 0x20) text.Append('\\').Append(((int)c).ToString(CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        return text.Append('"').ToString();
    }
}
