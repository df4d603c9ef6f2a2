using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>The kinds a Helm chart installs besides RBAC: Deployment, Service, PodDisruptionBudget.</summary>
public static partial class BuiltInResources
{
    private static IReadOnlyList<ResourceType> Workloads() =>
    [
        new ResourceType
        {
            Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Singular = "deployment",
            Namespaced = true, HasStatus = true, ShortNames = ["deploy"], Categories = ["all"], Storage = new("apps", "deployments"),
            TracksGeneration = true, Rules = new DeploymentRules(),
            PrinterColumns =
            [
                Computed("Ready", "string", o => $"{o.Walk("status.readyReplicas") ?? 0}/{o.Walk("spec.replicas") ?? 0}"),
                Computed("Up-to-date", "integer", o => o.Walk("status.updatedReplicas")?.DeepClone() ?? 0),
                Computed("Available", "integer", o => o.Walk("status.availableReplicas")?.DeepClone() ?? 0),
                AgeColumn(),
                Computed("Containers", "string", o => Join(o.Walk("spec.template.spec.containers"), "name")) with { Priority = 1 },
                Computed("Images", "string", o => Join(o.Walk("spec.template.spec.containers"), "image")) with { Priority = 1 },
                Computed("Selector", "string", o => Selector(o.Walk("spec.selector.matchLabels"))) with { Priority = 1 },
            ],
        },
        Core("Service", "services", hasStatus: true, shortNames: ["svc"], categories: ["all"]) with
        {
            Rules = new ServiceRules(),
            PrinterColumns =
            [
                Column("Type", "string", ".spec.type"), Column("Cluster-IP", "string", ".spec.clusterIP"),
                Computed("External-IP", "string", ExternalIp), Computed("Port(s)", "string", ServicePorts), AgeColumn(),
                Computed("Selector", "string", o => Selector(o.Walk("spec.selector"))) with { Priority = 1 },
            ],
        },
        new ResourceType
        {
            Group = "policy", Version = "v1", Kind = "PodDisruptionBudget", Plural = "poddisruptionbudgets",
            Singular = "poddisruptionbudget", Namespaced = true, HasStatus = true, ShortNames = ["pdb"],
            Storage = new("policy", "poddisruptionbudgets"), TracksGeneration = true, Rules = new PodDisruptionBudgetRules(),
            PrinterColumns =
            [
                Computed("Min Available", "string", o => o.Walk("spec.minAvailable")?.ToString() ?? "N/A"),
                Computed("Max Unavailable", "string", o => o.Walk("spec.maxUnavailable")?.ToString() ?? "N/A"),
                Computed("Allowed Disruptions", "integer", o => o.Walk("status.disruptionsAllowed")?.DeepClone() ?? 0),
                AgeColumn(),
            ],
        },
    ];

    private static JsonNode? Join(JsonNode? list, string property) =>
        string.Join(",", (list as JsonArray ?? []).Select(item => item?[property]?.ToString() ?? ""));

    private static JsonNode? Selector(JsonNode? labels) => labels is JsonObject { Count: > 0 } map
        ? string.Join(",", map.Select(pair => $"{pair.Key}={pair.Value}"))
        : "<none>";

    private static JsonNode? ExternalIp(JsonObject service)
    {
        var ingress = (service.Walk("status.loadBalancer.ingress") as JsonArray ?? [])
            .Select(i => i?["ip"]?.ToString() ?? i?["hostname"]?.ToString()).OfType<string>().ToList();
        var external = (service.Walk("spec.externalIPs") as JsonArray ?? []).Select(ip => ip?.ToString()).OfType<string>().ToList();
        return service.Walk("spec.type")?.ToString() switch
        {
            "ExternalName" => service.Walk("spec.externalName")?.ToString() ?? "<none>",
            "LoadBalancer" => ingress.Concat(external).ToList() is { Count: > 0 } all ? string.Join(",", all) : "<pending>",
            _ => external.Count > 0 ? string.Join(",", external) : "<none>",
        };
    }

    private static JsonNode? ServicePorts(JsonObject service)
    {
        var ports = (service.Walk("spec.ports") as JsonArray ?? []).OfType<JsonObject>().Select(port =>
        {
            var protocol = port.GetString("protocol") ?? "TCP";
            return port["nodePort"] is { } nodePort ? $"{port["port"]}:{nodePort}/{protocol}" : $"{port["port"]}/{protocol}";
        }).ToList();
        return ports.Count > 0 ? string.Join(",", ports) : "<none>";
    }
}
