using System.Globalization;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Tables;

/// <summary>
/// Renders objects as a meta.k8s.io/v1 Table (what `kubectl get` asks for): a Name column, then the kind's
/// printer columns; each row carries the object's metadata (PartialObjectMetadata) unless told otherwise.
/// </summary>
public static class TableConverter
{
    private const string NameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.";

    /// <summary>A CRD without additionalPrinterColumns shows its age (the apiextensions default).</summary>
    private static readonly PrinterColumn DefaultAge = new("Age", "date", ".metadata.creationTimestamp");

    public static JsonObject Convert(ResourceType type, IReadOnlyList<JsonObject> objects, string resourceVersion,
        string? continueToken, long? remaining, bool noHeaders, string includeObject)
    {
        var columns = Columns(type);
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = ListMeta(resourceVersion, continueToken, remaining),
        };
        if (!noHeaders)
        {
            var definitions = new JsonArray(new JsonObject
            {
                ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = NameDescription, ["priority"] = 0,
            });
            foreach (var c in columns)
                definitions.Add(new JsonObject
                {
                    ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format,
                    ["description"] = c.Description.Length > 0 ? c.Description : $"Custom resource definition column (in JSONPath format): {c.JsonPath}",
                    ["priority"] = c.Priority,
                });
            table["columnDefinitions"] = definitions;
        }
        else table["columnDefinitions"] = null;

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray(JsonValue.Create(obj.Name()));
            foreach (var c in columns) cells.Add(Cell(c, obj));
            var row = new JsonObject { ["cells"] = cells };
            var embedded = includeObject switch
            {
                "Object" => obj.DeepClone(),
                "None" => null,
                "Metadata" or "" => PartialObjectMetadata(obj),
                _ => throw ApiErrors.BadRequest($"unrecognized includeObject value: \"{includeObject}\""),
            };
            if (embedded is not null) row["object"] = embedded;
            rows.Add(row);
        }
        table["rows"] = rows;
        return table;
    }

    public static JsonObject PartialObjectMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone(),
    };

    public static JsonObject ListMeta(string resourceVersion, string? continueToken, long? remaining)
    {
        var meta = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (!string.IsNullOrEmpty(continueToken)) meta["continue"] = continueToken;
        if (remaining is not null) meta["remainingItemCount"] = remaining;
        return meta;
    }

    private static IReadOnlyList<PrinterColumn> Columns(ResourceType type) =>
        type.PrinterColumns.Count > 0 ? type.PrinterColumns : type.IsCustom ? [DefaultAge] : [BuiltInAge];

    private static readonly PrinterColumn BuiltInAge = new("Age", "date", ".metadata.creationTimestamp");

    private static JsonNode? Cell(PrinterColumn column, JsonObject obj)
    {
        if (column.Compute is { } compute) return compute(obj)?.DeepClone();
        List<JsonNode?> results;
        try
        {
            results = JsonPathExpression.Parse(column.JsonPath).Evaluate(obj);
        }
        catch (FormatException)
        {
            return null;
        }
        if (results.Count == 0 || results[0] is null) return null;
        var value = results[0]!;
        return column.Type switch
        {
            "string" => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : JsonText.Serialize(value),
            "integer" => value is JsonValue v && v.TryGetNumber(out var n) ? (long)n : null,
            "number" => value is JsonValue v && v.TryGetNumber(out var d) ? d : null,
            "boolean" => value is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null,
            "date" => value is JsonValue v && v.TryGetValue<string>(out var t)
                ? DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, out var time) ? HumanDuration.Since(time) : "<invalid>"
                : null,
            _ => null,
        };
    }
}
