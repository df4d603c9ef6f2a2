using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>
/// What a kind's registry strategy does beyond the generic object rules: defaults and normalisation on
/// create/update (PrepareForCreate/PrepareForUpdate upstream) and kind-specific validation.
/// </summary>
public interface IKindRules
{
    void PrepareForCreate(JsonObject obj) { }
    void PrepareForUpdate(JsonObject updated, JsonObject old) { }
    IEnumerable<FieldError> Validate(JsonObject obj) => [];

    /// <summary>Whether the object's name must be a DNS label (Namespaces) rather than a DNS subdomain.</summary>
    bool NameIsDnsLabel => false;

    /// <summary>Whether any name that fits in one URL path segment is valid (RBAC kinds: "system:discovery").</summary>
    bool NameIsPathSegment => false;
}

public sealed class NoKindRules : IKindRules
{
    public static readonly NoKindRules Instance = new();
}

/// <summary>Maps between a served version's shape and the stored shape (only Events differ between versions).</summary>
public interface IObjectRepresentation
{
    JsonObject ToStorage(JsonObject served);
    JsonObject FromStorage(JsonObject stored);

    /// <summary>Translates a field selector path of the served shape to the stored shape.</summary>
    string StoragePath(string servedPath) => servedPath;
}

public sealed class IdentityRepresentation : IObjectRepresentation
{
    public static readonly IdentityRepresentation Instance = new();
    public JsonObject ToStorage(JsonObject served) => served;
    public JsonObject FromStorage(JsonObject stored) => stored;
}
