namespace FiBackup.Operator.Api.Schema;

/// <summary>Short names kubectl accepts for the kind (`kubectl get vmb`).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortNamesAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>Categories the kind belongs to (`kubectl get fibackup` lists every kind of the category).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CategoriesAttribute(params string[] categories) : Attribute
{
    public IReadOnlyList<string> Categories { get; } = categories;
}

/// <summary>
/// One column of `kubectl get` (additionalPrinterColumns), in the order the attributes are written.
/// <paramref name="type"/> is an OpenAPI type: string, integer, number, boolean or date.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(int order, string name, string type, string jsonPath) : Attribute
{
    public int Order { get; } = order;
    public string Name { get; } = name;
    public string Type { get; } = type;
    public string JsonPath { get; } = jsonPath;
    public string? Description { get; init; }
    /// <summary>0 shows in `kubectl get`; higher only with `-o wide`.</summary>
    public int Priority { get; init; }
}

/// <summary>The field holds an integer or a string (a quantity such as 200Mi): x-kubernetes-int-or-string.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntOrStringAttribute : Attribute;

/// <summary>The field's format in the OpenAPI schema (date-time, int64, ...), where the C# type does not say it.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FormatAttribute(string format) : Attribute
{
    public string Format { get; } = format;
}

/// <summary>
/// A list whose items are identified by the named keys (x-kubernetes-list-type: map), so server-side
/// apply and strategic merges treat entries by key (conditions by type, disks by target).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListMapKeysAttribute(params string[] keys) : Attribute
{
    public IReadOnlyList<string> Keys { get; } = keys;
}
