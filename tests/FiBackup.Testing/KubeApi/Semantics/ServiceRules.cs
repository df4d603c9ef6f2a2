using System.Net;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Semantics;

/// <summary>
/// Service: defaults of core/v1 (type ClusterIP, session affinity, IP family, port protocol and targetPort), a
/// cluster IP allocated from 10.96.0.0/12 when none is asked for ("None" keeps a headless service), node ports
/// from 30000-32767 for NodePort/LoadBalancer, and the allocated values kept when an update omits them.
/// </summary>
public sealed class ServiceRules : IKindRules
{
    private readonly Lock _gate = new();
    private uint _nextAddress = BitConverter.ToUInt32(IPAddress.Parse("10.96.0.1").GetAddressBytes().Reverse().ToArray());
    private int _nextNodePort = 30000;

    public void PrepareForCreate(JsonObject service)
    {
        var spec = service["spec"] as JsonObject ?? new JsonObject();
        service["spec"] = spec;
        var type = spec.GetString("type") ?? "ClusterIP";
        spec["type"] = type;
        spec["sessionAffinity"] ??= "None";
        if (type != "ExternalName")
        {
            if (string.IsNullOrEmpty(spec.GetString("clusterIP"))) spec["clusterIP"] = Allocate();
            spec["clusterIPs"] = new JsonArray(spec.GetString("clusterIP"));
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            spec["internalTrafficPolicy"] ??= "Cluster";
        }
        if (type is "NodePort" or "LoadBalancer") spec["externalTrafficPolicy"] ??= "Cluster";
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
            if (type is "NodePort" or "LoadBalancer" && port["nodePort"] is null) port["nodePort"] = NextNodePort();
        }
        service["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        if (updated["spec"] is not JsonObject spec || old["spec"] is not JsonObject oldSpec) return;
        // Allocated values survive an update that leaves them out (kubectl apply of a manifest without clusterIP).
        foreach (var field in new[] { "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy" })
            if (spec[field] is null && oldSpec[field] is { } value) spec[field] = value.DeepClone();
    }

    private string Allocate()
    {
        lock (_gate)
        {
            var bytes = BitConverter.GetBytes(_nextAddress++).Reverse().ToArray();
            return new IPAddress(bytes).ToString();
        }
    }

    private int NextNodePort()
    {
        lock (_gate) return _nextNodePort++;
    }
}
