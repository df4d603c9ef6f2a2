using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Validation;

/// <summary>
/// Structural defaulting: a missing field with a schema default gets it; a null for a field that is neither
/// nullable nor defaulted is dropped (as kube-apiserver does before validation).
/// </summary>
public static class Defaulter
{
    public static void Apply(JsonNode? node, StructuralSchema schema)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, property) in schema.Properties)
                {
                    var present = obj.TryGetPropertyValue(name, out var value);
                    if ((!present || value is null) && property.Default is not null)
                        obj[name] = property.Default.DeepClone();
                    else if (present && value is null && !property.Nullable)
                        obj.Remove(name);
                }
                foreach (var (name, value) in obj.ToList())
                {
                    if (schema.Properties.TryGetValue(name, out var property)) Apply(value, property);
                    else if (schema.AdditionalProperties is { } additional)
                    {
                        if (value is null && !additional.Nullable) obj.Remove(name);
                        else Apply(value, additional);
                    }
                }
                break;
            case JsonArray array when schema.Items is { } items:
                foreach (var item in array) Apply(item, items);
                break;
        }
    }
}
