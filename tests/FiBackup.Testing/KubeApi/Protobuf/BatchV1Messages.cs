using static FiBackup.Testing.KubeApi.Protobuf.ProtoField;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// Messages of k8s.io/api/batch/v1/generated.proto (field numbers from there): the Job that
/// `kubectl create job` sends. podFailurePolicy (11), successPolicy (16) and the status (3) are skipped.
/// </summary>
public static class BatchV1Messages
{
    private static readonly ProtoMessage JobSpec = new("JobSpec",
    [
        OptionalInt(1, "parallelism"), OptionalInt(2, "completions"), OptionalInt(3, "activeDeadlineSeconds"),
        OptionalInt(7, "backoffLimit"), OptionalInt(12, "backoffLimitPerIndex"), OptionalInt(13, "maxFailedIndexes"),
        Of(4, "selector", MetaV1Messages.LabelSelector), OptionalBool(5, "manualSelector"),
        Of(6, "template", CoreV1Messages.PodTemplateSpec), OptionalInt(8, "ttlSecondsAfterFinished"),
        String(9, "completionMode"), OptionalBool(10, "suspend"), String(14, "podReplacementPolicy"),
        String(15, "managedBy"),
    ]);

    public static readonly ProtoMessage Job = new("Job", [Of(1, "metadata", MetaV1Messages.ObjectMeta), Of(2, "spec", JobSpec)]);
}
