namespace FiBackup.Testing.KubeApi.Requests;

/// <summary>What the client asked to get back, read from Accept (kube-apiserver's content negotiation).</summary>
public enum ResponseShape { Object, Table, PartialObjectMetadata, PartialObjectMetadataList }

public static class MediaTypes
{
    public const string Json = "application/json";
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";
    public const string Yaml = "application/yaml";
    /// <summary>What client-go's typed clients send for built-in kinds (kubectl create secret/configmap/...).</summary>
    public const string Protobuf = "application/vnd.kubernetes.protobuf";
    public const string TableV1 = "application/json;as=Table;v=v1;g=meta.k8s.io";

    /// <summary>The first Accept alternative this server can produce (tables and metadata-only views included).</summary>
    public static ResponseShape Negotiate(string? accept)
    {
        if (string.IsNullOrEmpty(accept)) return ResponseShape.Object;
        foreach (var alternative in accept.Split(','))
        {
            var parts = alternative.Split(';').Select(p => p.Trim()).ToArray();
            var type = parts[0];
            if (type is not ("application/json" or "*/*" or "application/*" or "application/yaml")) continue;
            var parameters = parts.Skip(1).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
                .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim());
            if (!parameters.TryGetValue("as", out var asKind)) return ResponseShape.Object;
            if (parameters.GetValueOrDefault("g") != "meta.k8s.io") continue;
            if (parameters.GetValueOrDefault("v") is not ("v1" or "v1beta1")) continue;
            switch (asKind)
            {
                case "Table": return ResponseShape.Table;
                case "PartialObjectMetadata": return ResponseShape.PartialObjectMetadata;
                case "PartialObjectMetadataList": return ResponseShape.PartialObjectMetadataList;
            }
        }
        return ResponseShape.Object;
    }

    /// <summary>True when Accept asks for aggregated discovery of the given version (v2 or v2beta1).</summary>
    public static bool WantsAggregatedDiscovery(string? accept, out string version)
    {
        version = "";
        if (string.IsNullOrEmpty(accept)) return false;
        foreach (var alternative in accept.Split(','))
        {
            var text = alternative.Replace(" ", "");
            if (!text.Contains("g=apidiscovery.k8s.io") || !text.Contains("as=APIGroupDiscoveryList")) continue;
            if (text.Contains("v=v2beta1")) { version = "v2beta1"; return true; }
            if (text.Contains("v=v2")) { version = "v2"; return true; }
        }
        return false;
    }

    public static string BaseType(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
}
