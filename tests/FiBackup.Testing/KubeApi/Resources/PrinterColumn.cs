using System.Text.Json.Nodes;

namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>
/// One column of a Table: a CRD additionalPrinterColumns entry (JSONPath) or a built-in kind's column,
/// which may compute its cell (e.g. a Secret's DATA count) the way kube-apiserver's printers do.
/// </summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string Format = "", string Description = "", int Priority = 0)
{
    public Func<JsonObject, JsonNode?>? Compute { get; init; }
}
