using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Validation;

/// <summary>
/// Structural pruning: drops every field the schema does not declare (unless x-kubernetes-preserve-unknown-fields)
/// and reports each dropped path, which fieldValidation=Strict turns into an error and Warn into a warning.
/// </summary>
public static class UnknownFieldPruner
{
    /// <summary>The fields of metav1.ObjectMeta; anything else under metadata is unknown.</summary>
    private static readonly HashSet<string> ObjectMetaFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    /// <summary>Prunes a whole object (a resource root: apiVersion, kind and metadata are always kept).</summary>
    public static List<string> PruneObject(JsonObject obj, StructuralSchema? schema)
    {
        var unknown = new List<string>();
        PruneMetadata(obj["metadata"] as JsonObject, "metadata", unknown);
        if (schema is not null) PruneNode(obj, schema, "", unknown, isResourceRoot: true);
        return unknown;
    }

    /// <summary>Unknown metadata fields are reported for every kind (ObjectMeta is decoded strictly).</summary>
    public static List<string> PruneMetadataOnly(JsonObject obj)
    {
        var unknown = new List<string>();
        PruneMetadata(obj["metadata"] as JsonObject, "metadata", unknown);
        return unknown;
    }

    private static void PruneMetadata(JsonObject? metadata, string path, List<string> unknown)
    {
        if (metadata is null) return;
        foreach (var key in metadata.Select(p => p.Key).ToList())
        {
            if (ObjectMetaFields.Contains(key)) continue;
            metadata.Remove(key);
            unknown.Add($"{path}.{key}");
        }
    }

    private static void PruneNode(JsonNode? node, StructuralSchema schema, string path, List<string> unknown, bool isResourceRoot)
    {
        switch (node)
        {
            case JsonObject obj:
                var keepsMeta = isResourceRoot || schema.EmbeddedResource;
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (keepsMeta && key is "apiVersion" or "kind") continue;
                    if (keepsMeta && key == "metadata")
                    {
                        if (schema.EmbeddedResource && !isResourceRoot) PruneMetadata(obj[key] as JsonObject, childPath, unknown);
                        continue;
                    }
                    if (schema.Properties.TryGetValue(key, out var property))
                        PruneNode(obj[key], property, childPath, unknown, false);
                    else if (schema.AdditionalProperties is { } additional)
                        PruneNode(obj[key], additional, childPath, unknown, false);
                    else if (!schema.PreserveUnknownFields)
                    {
                        obj.Remove(key);
                        unknown.Add(childPath);
                    }
                }
                break;
            case JsonArray array when schema.Items is { } items:
                for (var i = 0; i < array.Count; i++)
                    PruneNode(array[i], items, $"{path}[{i}]", unknown, false);
                break;
        }
    }
}
