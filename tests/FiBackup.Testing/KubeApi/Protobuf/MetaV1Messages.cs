using static FiBackup.Testing.KubeApi.Protobuf.ProtoField;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// Messages of k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto (field numbers from there). Fields the
/// server sets itself (selfLink, uid, resourceVersion, generation, creationTimestamp) are decoded anyway so
/// the usual create/update rules decide what to do with them, exactly as for a JSON body.
/// </summary>
public static class MetaV1Messages
{
    public static readonly ProtoMessage OwnerReference = new("OwnerReference",
    [
        String(5, "apiVersion"), String(1, "kind"), String(3, "name"), String(4, "uid"),
        OptionalBool(6, "controller"), OptionalBool(7, "blockOwnerDeletion"),
    ]);

    /// <summary>managedFields (17) is left out: this server records managedFields itself.</summary>
    public static readonly ProtoMessage ObjectMeta = new("ObjectMeta",
    [
        String(1, "name"), String(2, "generateName"), String(3, "namespace"), String(4, "selfLink"),
        String(5, "uid"), String(6, "resourceVersion"), Int(7, "generation"),
        Time(8, "creationTimestamp"), Time(9, "deletionTimestamp"), OptionalInt(10, "deletionGracePeriodSeconds"),
        StringMap(11, "labels"), StringMap(12, "annotations"), ListOf(13, "ownerReferences", OwnerReference),
        Strings(14, "finalizers"),
    ]);

    public static readonly ProtoMessage LabelSelectorRequirement = new("LabelSelectorRequirement",
    [
        String(1, "key"), String(2, "operator"), Strings(3, "values"),
    ]);

    public static readonly ProtoMessage LabelSelector = new("LabelSelector",
    [
        StringMap(1, "matchLabels"), ListOf(2, "matchExpressions", LabelSelectorRequirement),
    ]);

    public static readonly ProtoMessage Preconditions = new("Preconditions",
    [
        String(1, "uid"), String(2, "resourceVersion"),
    ]);

    /// <summary>What client-go sends as the body of a DELETE (helm uninstall deletes its release Secret so).</summary>
    public static readonly ProtoMessage DeleteOptions = new("DeleteOptions",
    [
        OptionalInt(1, "gracePeriodSeconds"), Of(2, "preconditions", Preconditions), OptionalBool(3, "orphanDependents"),
        String(4, "propagationPolicy"), Strings(5, "dryRun"),
    ]);
}
