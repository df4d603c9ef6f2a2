using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;

namespace FiBackup.Testing.KubeApi.Validation;

/// <summary>
/// The metadata rules every object obeys (apimachinery ValidateObjectMeta): name format, labels,
/// annotations, finalizers and owner references, with upstream's messages.
/// </summary>
public static partial class ObjectMetaValidator
{
    private const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string QualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    public static List<FieldError> Validate(JsonObject obj, bool nameIsDnsLabel, bool nameIsPathSegment = false)
    {
        var errors = new List<FieldError>();
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        var name = meta.GetString("name") ?? "";
        if (name.Length == 0)
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        else if (nameIsPathSegment)
            errors.AddRange(ValidatePathSegmentName("metadata.name", name));
        else
            errors.AddRange(ValidateName("metadata.name", name, nameIsDnsLabel));

        if (meta["labels"] is JsonObject labels)
            foreach (var (key, value) in labels)
            {
                errors.AddRange(ValidateQualifiedName("metadata.labels", key));
                var text = value?.ToString() ?? "";
                if (text.Length > 63) errors.Add(FieldError.Invalid("metadata.labels", text, "must be no more than 63 characters"));
                if (!LabelValue().IsMatch(text)) errors.Add(FieldError.Invalid("metadata.labels", text, LabelValueMessage));
            }
        if (meta["annotations"] is JsonObject annotations)
            foreach (var (key, _) in annotations)
                errors.AddRange(ValidateQualifiedName("metadata.annotations", key.ToLowerInvariant()));
        if (meta["finalizers"] is JsonArray finalizers)
            for (var i = 0; i < finalizers.Count; i++)
                errors.AddRange(ValidateQualifiedName($"metadata.finalizers[{i}]", finalizers[i]?.ToString() ?? ""));
        if (meta["ownerReferences"] is JsonArray owners)
            for (var i = 0; i < owners.Count; i++)
                foreach (var field in new[] { "apiVersion", "kind", "name", "uid" })
                    if (string.IsNullOrEmpty((owners[i] as JsonObject).GetString(field)))
                        errors.Add(FieldError.Invalid($"metadata.ownerReferences[{i}].{field}", "", $"{field} must not be empty"));
        return errors;
    }

    public static IEnumerable<FieldError> ValidateName(string field, string name, bool dnsLabel)
    {
        var max = dnsLabel ? 63 : 253;
        if (name.Length > max) yield return FieldError.Invalid(field, name, $"must be no more than {max} characters");
        if (!(dnsLabel ? Dns1123Label() : Dns1123Subdomain()).IsMatch(name))
            yield return FieldError.Invalid(field, name, dnsLabel ? Dns1123LabelMessage : Dns1123SubdomainMessage);
    }

    /// <summary>path.IsValidPathSegmentName: RBAC names such as "system:discovery" only need to be one URL segment.</summary>
    public static IEnumerable<FieldError> ValidatePathSegmentName(string field, string name)
    {
        if (name is "." or "..") yield return FieldError.Invalid(field, name, $"may not be '{name}'");
        foreach (var illegal in new[] { "/", "%" })
            if (name.Contains(illegal, StringComparison.Ordinal)) yield return FieldError.Invalid(field, name, $"may not contain '{illegal}'");
    }

    private static IEnumerable<FieldError> ValidateQualifiedName(string field, string value)
    {
        var parts = value.Split('/');
        string namePart;
        if (parts.Length == 1) namePart = parts[0];
        else if (parts.Length == 2)
        {
            namePart = parts[1];
            if (parts[0].Length == 0) yield return FieldError.Invalid(field, value, "prefix part must be non-empty");
            else if (!Dns1123Subdomain().IsMatch(parts[0])) yield return FieldError.Invalid(field, value, "prefix part " + Dns1123SubdomainMessage);
        }
        else
        {
            yield return FieldError.Invalid(field, value,
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            yield break;
        }
        if (namePart.Length == 0) yield return FieldError.Invalid(field, value, "name part must be non-empty");
        else if (namePart.Length > 63) yield return FieldError.Invalid(field, value, "name part must be no more than 63 characters");
        else if (!QualifiedNamePart().IsMatch(namePart)) yield return FieldError.Invalid(field, value, QualifiedNameMessage);
    }
}
