using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Validation;
using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>
/// One resource the server serves at one group-version: its names, scope, subresources and the rules
/// that differ per kind. Built-in kinds come from <see cref="BuiltInResources"/>, custom ones from CRDs.
/// </summary>
public sealed record ResourceType
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required bool Namespaced { get; init; }
    public string ListKind => Kind + "List";
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public bool HasStatus { get; init; }

    /// <summary>What discovery says clients may do; create-only kinds (access reviews) are computed, not stored.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = StoredVerbs;

    public static readonly IReadOnlyList<string> StoredVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>Extra subresources named in discovery only (e.g. namespaces/finalize).</summary>
    public IReadOnlyList<string> OtherSubresources { get; init; } = [];

    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>The structural schema of a CRD version; null means any object is accepted (built-in kinds).</summary>
    public StructuralSchema? Schema { get; init; }

    /// <summary>The openAPIV3Schema as written in the CRD, published in /openapi/v3.</summary>
    public JsonObject? OpenApiSchema { get; init; }

    /// <summary>metadata.generation is set and bumped on spec changes (custom resources, Jobs).</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>Immediate deletes answer with the object rather than a Success Status (Pods).</summary>
    public bool ReturnsDeletedObject { get; init; }

    /// <summary>batch/v1 Jobs orphan their Pods when the client names no policy, for backward compatibility.</summary>
    public PropagationPolicy DefaultPropagation { get; init; } = PropagationPolicy.Background;

    /// <summary>Where objects are kept; events.k8s.io/v1 Events share core Events' storage.</summary>
    public required GroupResource Storage { get; init; }

    /// <summary>Rewrites stored objects to this version's shape and back (only Events need it).</summary>
    public IObjectRepresentation Representation { get; init; } = IdentityRepresentation.Instance;

    /// <summary>Kind-specific create/update rules (Secret stringData, Namespace phase, Job defaults...).</summary>
    public IKindRules Rules { get; init; } = NoKindRules.Instance;

    /// <summary>Field selector paths beyond metadata.name/metadata.namespace.</summary>
    public IReadOnlyList<string> SelectableFields { get; init; } = [];

    /// <summary>The CRD that defines this resource, or null for built-ins.</summary>
    public string? DefinedBy { get; init; }

    public GroupVersion GroupVersion => new(Group, Version);
    public GroupResource GroupResource => new(Group, Plural);
    public GroupKind GroupKind => new(Group, Kind);
    public string ApiVersion => GroupVersion.ApiVersion;
    public bool IsCustom => DefinedBy is not null;
}
