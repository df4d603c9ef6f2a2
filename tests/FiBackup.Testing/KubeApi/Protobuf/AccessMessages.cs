using static FiBackup.Testing.KubeApi.Protobuf.ProtoField;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// Messages of k8s.io/api/authentication/v1 and authorization/v1 generated.proto (field numbers from there):
/// the TokenRequest of `kubectl create token` and the reviews of `kubectl auth can-i` and `kubectl auth whoami`.
/// Field and label selector attributes of access reviews are skipped.
/// </summary>
public static class AccessMessages
{
    private static readonly ProtoMessage BoundObjectReference = new("BoundObjectReference",
        [String(1, "kind"), String(2, "apiVersion"), String(3, "name"), String(4, "uid")]);

    private static readonly ProtoMessage TokenRequestSpec = new("TokenRequestSpec",
        [Strings(1, "audiences"), Of(3, "boundObjectRef", BoundObjectReference), OptionalInt(4, "expirationSeconds")]);

    public static readonly ProtoMessage TokenRequest = new("TokenRequest",
        [Of(1, "metadata", MetaV1Messages.ObjectMeta), Of(2, "spec", TokenRequestSpec)]);

    public static readonly ProtoMessage SelfSubjectReview = new("SelfSubjectReview", [Of(1, "metadata", MetaV1Messages.ObjectMeta)]);

    private static readonly ProtoMessage ResourceAttributes = new("ResourceAttributes",
    [
        String(1, "namespace"), String(2, "verb"), String(3, "group"), String(4, "version"),
        String(5, "resource"), String(6, "subresource"), String(7, "name"),
    ]);

    private static readonly ProtoMessage NonResourceAttributes = new("NonResourceAttributes", [String(1, "path"), String(2, "verb")]);

    private static readonly ProtoMessage SelfSubjectAccessReviewSpec = new("SelfSubjectAccessReviewSpec",
        [Of(1, "resourceAttributes", ResourceAttributes), Of(2, "nonResourceAttributes", NonResourceAttributes)]);

    public static readonly ProtoMessage SelfSubjectAccessReview = new("SelfSubjectAccessReview",
        [Of(1, "metadata", MetaV1Messages.ObjectMeta), Of(2, "spec", SelfSubjectAccessReviewSpec)]);

    private static readonly ProtoMessage SelfSubjectRulesReviewSpec = new("SelfSubjectRulesReviewSpec", [String(1, "namespace")]);

    public static readonly ProtoMessage SelfSubjectRulesReview = new("SelfSubjectRulesReview",
        [Of(1, "metadata", MetaV1Messages.ObjectMeta), Of(2, "spec", SelfSubjectRulesReviewSpec)]);
}
