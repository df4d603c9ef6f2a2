using static FiBackup.Testing.KubeApi.Protobuf.ProtoField;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// Messages of k8s.io/api/core/v1/generated.proto (field numbers from there) for the core kinds served here.
/// Pod specs are decoded as far as kubectl's generators and simple typed clients fill them (containers with
/// image, command, args, env values, ports, resources, volume mounts); volumes, probes, affinity, security
/// contexts and statuses are skipped.
/// </summary>
public static class CoreV1Messages
{
    private static readonly ProtoMessage Meta = MetaV1Messages.ObjectMeta;

    public static readonly ProtoMessage Namespace = new("Namespace",
    [
        Of(1, "metadata", Meta),
        Of(2, "spec", new ProtoMessage("NamespaceSpec", [Strings(1, "finalizers")])),
        // NamespaceStatus.conditions (2) is skipped; the namespace controller owns the status.
        Of(3, "status", new ProtoMessage("NamespaceStatus", [String(1, "phase")])),
    ]);

    public static readonly ProtoMessage Secret = new("Secret",
    [
        Of(1, "metadata", Meta), OptionalBool(5, "immutable"), BytesMap(2, "data"), StringMap(4, "stringData"),
        String(3, "type"),
    ]);

    public static readonly ProtoMessage ConfigMap = new("ConfigMap",
    [
        Of(1, "metadata", Meta), OptionalBool(4, "immutable"), StringMap(2, "data"), BytesMap(3, "binaryData"),
    ]);

    public static readonly ProtoMessage ObjectReference = new("ObjectReference",
    [
        String(1, "kind"), String(2, "namespace"), String(3, "name"), String(4, "uid"), String(5, "apiVersion"),
        String(6, "resourceVersion"), String(7, "fieldPath"),
    ]);

    public static readonly ProtoMessage LocalObjectReference = new("LocalObjectReference", [String(1, "name")]);

    public static readonly ProtoMessage ServiceAccount = new("ServiceAccount",
    [
        Of(1, "metadata", Meta), ListOf(2, "secrets", ObjectReference),
        ListOf(3, "imagePullSecrets", LocalObjectReference), OptionalBool(4, "automountServiceAccountToken"),
    ]);

    private static readonly ProtoMessage ContainerPort = new("ContainerPort",
    [
        String(1, "name"), Int(2, "hostPort"), Int(3, "containerPort"), String(4, "protocol"), String(5, "hostIP"),
    ]);

    /// <summary>EnvVar.valueFrom (3) is skipped.</summary>
    private static readonly ProtoMessage EnvVar = new("EnvVar", [String(1, "name"), String(2, "value")]);

    /// <summary>ResourceRequirements.claims (3) is skipped.</summary>
    private static readonly ProtoMessage ResourceRequirements = new("ResourceRequirements",
    [
        QuantityMap(1, "limits"), QuantityMap(2, "requests"),
    ]);

    private static readonly ProtoMessage VolumeMount = new("VolumeMount",
    [
        String(1, "name"), Bool(2, "readOnly"), String(7, "recursiveReadOnly"), String(3, "mountPath"),
        String(4, "subPath"), String(5, "mountPropagation"), String(6, "subPathExpr"),
    ]);

    private static readonly ProtoMessage Container = new("Container",
    [
        String(1, "name"), String(2, "image"), Strings(3, "command"), Strings(4, "args"), String(5, "workingDir"),
        ListOf(6, "ports", ContainerPort), ListOf(7, "env", EnvVar), Of(8, "resources", ResourceRequirements),
        String(24, "restartPolicy"), ListOf(9, "volumeMounts", VolumeMount),
        String(13, "terminationMessagePath"), String(20, "terminationMessagePolicy"), String(14, "imagePullPolicy"),
        Bool(16, "stdin"), Bool(17, "stdinOnce"), Bool(18, "tty"),
    ]);

    public static readonly ProtoMessage PodSpec = new("PodSpec",
    [
        ListOf(20, "initContainers", Container), ListOf(2, "containers", Container), String(3, "restartPolicy"),
        OptionalInt(4, "terminationGracePeriodSeconds"), OptionalInt(5, "activeDeadlineSeconds"),
        String(6, "dnsPolicy"), StringMap(7, "nodeSelector"), String(8, "serviceAccountName"),
        String(9, "serviceAccount"), OptionalBool(21, "automountServiceAccountToken"), String(10, "nodeName"),
        Bool(11, "hostNetwork"), Bool(12, "hostPID"), Bool(13, "hostIPC"),
        ListOf(15, "imagePullSecrets", LocalObjectReference), String(16, "hostname"), String(17, "subdomain"),
        String(19, "schedulerName"), String(24, "priorityClassName"), OptionalInt(25, "priority"),
        String(29, "runtimeClassName"), OptionalBool(30, "enableServiceLinks"), String(31, "preemptionPolicy"),
    ]);

    public static readonly ProtoMessage PodTemplateSpec = new("PodTemplateSpec",
    [
        Of(1, "metadata", Meta), Of(2, "spec", PodSpec),
    ]);

    /// <summary>PodStatus (3) is skipped: a created Pod starts Pending here whatever the client sent.</summary>
    public static readonly ProtoMessage Pod = new("Pod", [Of(1, "metadata", Meta), Of(2, "spec", PodSpec)]);

    private static readonly ProtoMessage TypedLocalObjectReference = new("TypedLocalObjectReference",
    [
        String(1, "apiGroup"), String(2, "kind"), String(3, "name"),
    ]);

    /// <summary>dataSourceRef (8) is skipped.</summary>
    private static readonly ProtoMessage PersistentVolumeClaimSpec = new("PersistentVolumeClaimSpec",
    [
        Strings(1, "accessModes"), Of(4, "selector", MetaV1Messages.LabelSelector),
        Of(2, "resources", new ProtoMessage("VolumeResourceRequirements", [QuantityMap(1, "limits"), QuantityMap(2, "requests")])),
        String(3, "volumeName"), String(5, "storageClassName"), String(6, "volumeMode"),
        Of(7, "dataSource", TypedLocalObjectReference), String(9, "volumeAttributesClassName"),
    ]);

    /// <summary>PersistentVolumeClaimStatus (3) is skipped: a created claim starts Pending here.</summary>
    public static readonly ProtoMessage PersistentVolumeClaim = new("PersistentVolumeClaim",
    [
        Of(1, "metadata", Meta), Of(2, "spec", PersistentVolumeClaimSpec),
    ]);
}
