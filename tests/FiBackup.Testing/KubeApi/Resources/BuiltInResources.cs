using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Tables;

namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>
/// The built-in kinds the operator reads or writes. Stored generically; the only controllers are garbage
/// collection and namespace cleanup. Columns follow kube-apiserver's printers closely enough for kubectl get.
/// </summary>
public static partial class BuiltInResources
{
    private static readonly GroupResource CoreEvents = new("", "events");

    public static IReadOnlyList<ResourceType> All(Func<DateTimeOffset> now, Auth.EscalationCheck escalation) =>
    [.. OperatorKinds(now), .. Workloads(), .. Access(escalation)];

    private static IReadOnlyList<ResourceType> OperatorKinds(Func<DateTimeOffset> now) =>
    [
        Core("Namespace", "namespaces", namespaced: false, hasStatus: true, shortNames: ["ns"]) with
        {
            Rules = new NamespaceRules(),
            OtherSubresources = ["finalize"],
            SelectableFields = ["status.phase"],
            PrinterColumns = [Column("Status", "string", ".status.phase"), AgeColumn()],
        },
        Core("Secret", "secrets", shortNames: []) with
        {
            Rules = new SecretRules(),
            SelectableFields = ["type"],
            PrinterColumns = [Column("Type", "string", ".type"), CountColumn("Data", "data"), AgeColumn()],
        },
        Core("ConfigMap", "configmaps", shortNames: ["cm"]) with
        {
            PrinterColumns = [Computed("Data", "integer", o => Count(o, "data") + Count(o, "binaryData")), AgeColumn()],
        },
        Core("PersistentVolumeClaim", "persistentvolumeclaims", hasStatus: true, shortNames: ["pvc"]) with
        {
            Rules = new PersistentVolumeClaimRules(),
            PrinterColumns =
            [
                Column("Status", "string", ".status.phase"), Column("Volume", "string", ".spec.volumeName"),
                Column("Capacity", "string", ".status.capacity.storage"),
                Computed("Access Modes", "string", AccessModes),
                Column("StorageClass", "string", ".spec.storageClassName"), AgeColumn(),
            ],
        },
        Core("Pod", "pods", hasStatus: true, shortNames: ["po"], categories: ["all"]) with
        {
            Rules = new PodRules(),
            ReturnsDeletedObject = true,
            SelectableFields = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP"],
            PrinterColumns =
            [
                Computed("Ready", "string", PodReady), Column("Status", "string", ".status.phase"),
                Computed("Restarts", "string", PodRestarts), AgeColumn(),
            ],
        },
        Core("Event", "events", shortNames: ["ev"]) with
        {
            SelectableFields = EventFields,
            PrinterColumns =
            [
                Computed("Last Seen", "string", o => Since(o["lastTimestamp"] ?? o["eventTime"] ?? o.Walk("metadata.creationTimestamp"))),
                Column("Type", "string", ".type"), Column("Reason", "string", ".reason"),
                Computed("Object", "string", o => $"{o.Walk("involvedObject.kind")?.ToString().ToLowerInvariant()}/{o.Walk("involvedObject.name")}"),
                Column("Message", "string", ".message"),
            ],
        },
        Core("ServiceAccount", "serviceaccounts", shortNames: ["sa"]) with
        {
            OtherSubresources = ["token"],
            PrinterColumns = [CountColumn("Secrets", "secrets"), AgeColumn()],
        },
        new ResourceType
        {
            Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Singular = "event",
            Namespaced = true, ShortNames = ["ev"], Storage = CoreEvents, Representation = new EventsV1Representation(),
            SelectableFields = EventFields,
            PrinterColumns =
            [
                Computed("Last Seen", "string", o => Since(o["deprecatedLastTimestamp"] ?? o["eventTime"] ?? o.Walk("metadata.creationTimestamp"))),
                Column("Type", "string", ".type"), Column("Reason", "string", ".reason"),
                Computed("Object", "string", o => $"{o.Walk("regarding.kind")?.ToString().ToLowerInvariant()}/{o.Walk("regarding.name")}"),
                Column("Message", "string", ".note"),
            ],
        },
        new ResourceType
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Singular = "lease",
            Namespaced = true, Storage = new("coordination.k8s.io", "leases"),
            PrinterColumns = [Column("Holder", "string", ".spec.holderIdentity"), AgeColumn()],
        },
        new ResourceType
        {
            Group = "batch", Version = "v1", Kind = "Job", Plural = "jobs", Singular = "job", Namespaced = true,
            HasStatus = true, Categories = ["all"], Storage = new("batch", "jobs"), TracksGeneration = true,
            DefaultPropagation = PropagationPolicy.Orphan, Rules = new JobRules(), SelectableFields = ["status.successful"],
            PrinterColumns =
            [
                Computed("Status", "string", JobStatus),
                Computed("Completions", "string", o => $"{o.Walk("status.succeeded") ?? 0}/{o.Walk("spec.completions") ?? 1}"),
                AgeColumn(),
            ],
        },
        new ResourceType
        {
            Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition",
            Plural = "customresourcedefinitions", Singular = "customresourcedefinition", Namespaced = false,
            HasStatus = true, ShortNames = ["crd", "crds"], Categories = ["api-extensions"],
            Storage = new("apiextensions.k8s.io", "customresourcedefinitions"), TracksGeneration = true,
            Rules = new Crds.CrdRules(now),
            // The default table convertor prints the raw RFC 3339 timestamp, not an age.
            PrinterColumns = [Computed("Created At", "date", o => o.Walk("metadata.creationTimestamp")?.DeepClone())],
        },
    ];

    private static readonly IReadOnlyList<string> EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ];

    private static ResourceType Core(string kind, string plural, bool namespaced = true, bool hasStatus = false,
        IReadOnlyList<string>? shortNames = null, IReadOnlyList<string>? categories = null) => new()
    {
        Group = "", Version = "v1", Kind = kind, Plural = plural, Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced, HasStatus = hasStatus, ShortNames = shortNames ?? [], Categories = categories ?? [],
        Storage = new("", plural),
    };

    private static PrinterColumn Column(string name, string type, string path) => new(name, type, path);

    private static PrinterColumn Computed(string name, string type, Func<JsonObject, JsonNode?> compute) =>
        new(name, type, "") { Compute = compute };

    private static PrinterColumn CountColumn(string name, string property) =>
        Computed(name, "integer", o => Count(o, property));

    /// <summary>Built-in printers render Age as a ready-made string ("5m"), not as a date column.</summary>
    private static PrinterColumn AgeColumn() =>
        Computed("Age", "string", o => Since(o.Walk("metadata.creationTimestamp")));

    private static JsonNode? Since(JsonNode? timestamp) =>
        timestamp is not null && DateTimeOffset.TryParse(timestamp.ToString(), out var t) ? HumanDuration.Since(t) : "<unknown>";

    private static int Count(JsonObject o, string property) => o[property] switch
    {
        JsonObject map => map.Count,
        JsonArray list => list.Count,
        _ => 0,
    };

    private static JsonNode? AccessModes(JsonObject pvc)
    {
        var modes = (pvc.Walk("status.accessModes") ?? pvc.Walk("spec.accessModes")) as JsonArray;
        return string.Join(",", (modes ?? []).Select(m => m?.ToString() switch
        {
            "ReadWriteOnce" => "RWO", "ReadOnlyMany" => "ROX", "ReadWriteMany" => "RWX", "ReadWriteOncePod" => "RWOP",
            var other => other,
        }));
    }

    private static JsonNode? PodReady(JsonObject pod)
    {
        var total = (pod.Walk("spec.containers") as JsonArray)?.Count ?? 0;
        var ready = (pod.Walk("status.containerStatuses") as JsonArray)?.Count(s => s?["ready"]?.GetValue<bool>() == true) ?? 0;
        return $"{ready}/{total}";
    }

    private static JsonNode? PodRestarts(JsonObject pod) =>
        ((pod.Walk("status.containerStatuses") as JsonArray)?.Sum(s => s?["restartCount"]?.GetValue<long>() ?? 0) ?? 0).ToString();

    private static JsonNode? JobStatus(JsonObject job)
    {
        var conditions = job.Walk("status.conditions") as JsonArray ?? [];
        bool Is(string type) => conditions.Any(c => c?["type"]?.ToString() == type && c["status"]?.ToString() == "True");
        if (Is("Complete")) return "Complete";
        if (Is("Failed")) return "Failed";
        if (Is("Suspended")) return "Suspended";
        return "Running";
    }
}
