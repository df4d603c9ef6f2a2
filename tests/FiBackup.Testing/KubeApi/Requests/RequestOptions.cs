using Microsoft.AspNetCore.Http;
using FiBackup.Testing.KubeApi.Errors;

namespace FiBackup.Testing.KubeApi.Requests;

/// <summary>The query parameters of a resource request (metav1 ListOptions, CreateOptions, PatchOptions, DeleteOptions).</summary>
public sealed record RequestOptions
{
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    public long? Limit { get; init; }
    public string? Continue { get; init; }
    public string? ResourceVersion { get; init; }
    public string? ResourceVersionMatch { get; init; }
    public bool Watch { get; init; }
    public bool AllowWatchBookmarks { get; init; }
    public bool? SendInitialEvents { get; init; }
    public long? TimeoutSeconds { get; init; }
    public bool DryRun { get; init; }
    public string FieldValidation { get; init; } = "Warn";
    public string? FieldManager { get; init; }
    public bool Force { get; init; }
    public string? PropagationPolicy { get; init; }
    public string IncludeObject { get; init; } = "";

    public static RequestOptions From(IQueryCollection query)
    {
        string? Get(string name) => query.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;
        bool Flag(string name) => Get(name) is "true" or "1" or "True";
        long? Number(string name)
        {
            var text = Get(name);
            if (string.IsNullOrEmpty(text)) return null;
            return long.TryParse(text, out var n) ? n : throw ApiErrors.BadRequest($"invalid {name}: {text}");
        }

        var validation = Get("fieldValidation") ?? "";
        if (validation is not ("" or "Ignore" or "Warn" or "Strict"))
            throw ApiErrors.BadRequest($"fieldValidation: Unsupported value: \"{validation}\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        var dryRun = Get("dryRun");
        if (dryRun is not (null or "" or "All"))
            throw ApiErrors.BadRequest($"dryRun: Unsupported value: \"{dryRun}\": supported values: \"All\"");

        return new RequestOptions
        {
            LabelSelector = Get("labelSelector"),
            FieldSelector = Get("fieldSelector"),
            Limit = Number("limit"),
            Continue = Get("continue"),
            ResourceVersion = Get("resourceVersion"),
            ResourceVersionMatch = Get("resourceVersionMatch"),
            Watch = Flag("watch"),
            AllowWatchBookmarks = Flag("allowWatchBookmarks"),
            SendInitialEvents = Get("sendInitialEvents") is { } s ? s == "true" : null,
            TimeoutSeconds = Number("timeoutSeconds"),
            DryRun = dryRun == "All",
            FieldValidation = validation.Length == 0 ? "Warn" : validation,
            FieldManager = Get("fieldManager"),
            Force = Flag("force"),
            PropagationPolicy = Get("propagationPolicy"),
            IncludeObject = Get("includeObject") ?? "",
        };
    }
}
