using System.Text.Json.Nodes;

namespace FiBackup.Operator.Crds;

/// <summary>
/// The schema of one metav1.Condition, with the same required fields, patterns and limits as
/// upstream's type so conditions written by any Kubernetes client validate here too.
/// </summary>
public static class ConditionSchema
{
    // Upstream's rules for metav1.Condition: type is a qualified name (optional DNS prefix + "/"),
    // reason a CamelCase word, status one of three strings.
    public const string TypePattern =
        @"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
    public const string ReasonPattern = @"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

    public static JsonObject Build() => new()
    {
        ["description"] = "One aspect of the object's state (metav1.Condition).",
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["lastTransitionTime"] = new JsonObject
            {
                ["description"] = "When the status last changed from one value to another.",
                ["type"] = "string",
                ["format"] = "date-time",
            },
            ["message"] = new JsonObject
            {
                ["description"] = "What happened, for people; may be empty.",
                ["type"] = "string",
                ["maxLength"] = 32768,
            },
            ["observedGeneration"] = new JsonObject
            {
                ["description"] = "The metadata.generation the condition was set for.",
                ["type"] = "integer",
                ["format"] = "int64",
                ["minimum"] = 0,
            },
            ["reason"] = new JsonObject
            {
                ["description"] = "Why the condition has its status, one CamelCase word for programs.",
                ["type"] = "string",
                ["maxLength"] = 1024,
                ["minLength"] = 1,
                ["pattern"] = ReasonPattern,
            },
            ["status"] = new JsonObject
            {
                ["description"] = "True, False or Unknown.",
                ["type"] = "string",
                ["enum"] = new JsonArray("True", "False", "Unknown"),
            },
            ["type"] = new JsonObject
            {
                ["description"] = "The condition's type in CamelCase, e.g. Ready or Complete.",
                ["type"] = "string",
                ["maxLength"] = 316,
                ["pattern"] = TypePattern,
            },
        },
        ["required"] = new JsonArray("lastTransitionTime", "message", "reason", "status", "type"),
    };
}
