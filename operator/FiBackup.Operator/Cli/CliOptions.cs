using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using FiBackup.Engine.Errors;

namespace FiBackup.Operator.Cli;

/// <summary>Options several commands share, and the parsing of their values with errors naming the option.</summary>
public static partial class CliOptions
{
    public static Option<string> Connect(bool required = true) => new("--connect", "-c")
    {
        Description = "Libvirt URI of the host, e.g. qemu:///system or qemu+ssh://backup@hv1/system",
        Required = required,
    };

    public static Option<string> Domain() => new("--domain", "-d") { Description = "Name of the libvirt domain", Required = true };

    public static Option<string> Repository() => new("--repository", "-r")
    {
        Description = "Repository directory (a mounted PVC, a local disk, NFS, ...)",
        Required = true,
    };

    public static Option<string> Choice(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description} ({string.Join("|", values)}; default {defaultValue})",
            DefaultValueFactory = _ => defaultValue,
            HelpName = string.Join("|", values),
        };
        // Not AcceptOnlyFromAmong: its error ("Argument 'x' not recognized. Must be one of: ...")
        // does not say which option was wrong. Same check (exact, case-sensitive), naming the option.
        option.CompletionSources.Add(values);
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !values.Contains(t.Value, StringComparer.Ordinal)))
                result.AddError($"{name}: \"{token.Value}\" is not one of {string.Join(", ", values)}");
        });
        return option;
    }

    public static TEnum ParseEnum<TEnum>(string option, string value) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed)
            ? parsed
            : throw new InvalidInputException($"\"{value}\" is not one of {string.Join(", ", Enum.GetNames<TEnum>()).ToLowerInvariant()}", option);

    [GeneratedRegex(@"^\s*(?<number>\d+(\.\d+)?)\s*(?<unit>[KMGT]?i?B?|[kmgt]i?b?)?\s*(/s)?\s*$")]
    private static partial Regex SizePattern();

    /// <summary>
    /// A byte count the way people write it: 50MiB, 200Mi, 1.5G, 800k, 1048576. Binary (Ki, Mi, ...)
    /// and decimal (K, M, ...) units both work, like Kubernetes quantities.
    /// </summary>
    public static long ParseSize(string option, string text)
    {
        var match = SizePattern().Match(text);
        if (!match.Success)
            throw new InvalidInputException($"\"{text}\" is not a size (examples: 50MiB, 200Mi, 1G, 1048576)", option);
        var number = double.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups["unit"].Value.ToUpperInvariant().TrimEnd('B');
        double multiplier = unit switch
        {
            "" => 1,
            "K" => 1e3, "M" => 1e6, "G" => 1e9, "T" => 1e12,
            "KI" => 1L << 10, "MI" => 1L << 20, "GI" => 1L << 30, "TI" => 1L << 40,
            _ => throw new InvalidInputException($"unknown unit in \"{text}\"", option),
        };
        var bytes = number * multiplier;
        if (bytes < 1 || bytes > long.MaxValue)
            throw new InvalidInputException($"\"{text}\" must be at least 1 byte", option);
        return (long)bytes;
    }
}
