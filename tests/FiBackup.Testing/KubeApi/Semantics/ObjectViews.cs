using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>Moves objects between the stored shape and the shape one served version shows.</summary>
public static class ObjectViews
{
    public static JsonObject ToServed(this ResourceType type, JsonObject stored)
    {
        var view = type.Representation.FromStorage(stored.Clone());
        return WithTypeFirst(view, type.ApiVersion, type.Kind);
    }

    public static JsonObject ToStored(this ResourceType type, JsonObject served) =>
        type.Representation.ToStorage(served.Clone());

    /// <summary>
    /// apiVersion and kind lead the object, as Go's encoders write them. The other properties are moved, not
    /// copied: <paramref name="copy"/> must be the caller's own (it is left empty).
    /// </summary>
    public static JsonObject WithTypeFirst(JsonObject copy, string apiVersion, string kind)
    {
        var properties = copy.ToList();
        copy.Clear();
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (key, value) in properties)
        {
            if (key is "apiVersion" or "kind") continue;
            result[key] = value;
        }
        return result;
    }
}
