using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Validation;

namespace FiBackup.Testing.KubeApi.Crds;

/// <summary>Turns a CustomResourceDefinition into the resource types it serves, one per served version.</summary>
public static class CustomResourceTypes
{
    public static IReadOnlyList<ResourceType> From(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? new JsonObject();
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var group = spec.GetString("group") ?? "";
        var plural = names.GetString("plural") ?? "";
        var kind = names.GetString("kind") ?? "";
        var types = new List<ResourceType>();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false) continue;
            var schemaNode = version["schema"]?["openAPIV3Schema"] as JsonObject;
            types.Add(new ResourceType
            {
                Group = group,
                Version = version.GetString("name") ?? "",
                Kind = kind,
                Plural = plural,
                Singular = names.GetString("singular") is { Length: > 0 } s ? s : kind.ToLowerInvariant(),
                Namespaced = spec.GetString("scope") != "Cluster",
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                HasStatus = version["subresources"]?["status"] is not null,
                PrinterColumns = (version["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(c => new PrinterColumn(
                        c.GetString("name") ?? "", c.GetString("type") ?? "string", c.GetString("jsonPath") ?? "",
                        c.GetString("format") ?? "", c.GetString("description") ?? "", (int)(c.GetInt64("priority") ?? 0)))
                    .ToList(),
                Schema = schemaNode is null ? null : StructuralSchema.Parse(schemaNode),
                OpenApiSchema = schemaNode?.Clone(),
                TracksGeneration = true,
                Storage = new GroupResource(group, plural),
                DefinedBy = crd.Name(),
                SelectableFields = (version["selectableFields"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(f => (f.GetString("jsonPath") ?? "").TrimStart('.')).ToList(),
            });
        }
        return types;
    }

    public static string? StorageVersion(JsonObject crd) =>
        ((crd["spec"]?["versions"] as JsonArray) ?? []).OfType<JsonObject>()
            .FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true)?.GetString("name");

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x?.ToString() ?? "").ToList() : [];
}
