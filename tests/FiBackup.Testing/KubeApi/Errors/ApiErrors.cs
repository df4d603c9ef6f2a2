using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Errors;

/// <summary>
/// Factories for the errors of k8s.io/apimachinery/pkg/api/errors, with the same codes, reasons,
/// messages and details (details.kind holds the resource, as upstream does for NotFound/AlreadyExists/Conflict).
/// </summary>
public static class ApiErrors
{
    private static JsonObject Details(GroupResource resource, string name, string? uid = null)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0) details["group"] = resource.Group;
        details["kind"] = resource.Resource;
        if (uid is not null) details["uid"] = uid;
        return details;
    }

    public static ApiException NotFound(GroupResource resource, string name) =>
        new(404, "NotFound", $"{resource} \"{name}\" not found", Details(resource, name));

    public static ApiException AlreadyExists(GroupResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource} \"{name}\" already exists", Details(resource, name));

    public static ApiException Conflict(GroupResource resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": {why}", Details(resource, name));

    public const string ObjectModified =
        "the object has been modified; please apply your changes to the latest version and try again";

    public static ApiException Invalid(GroupKind kind, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
            causes.Add(new JsonObject { ["reason"] = e.CauseType, ["message"] = e.Body, ["field"] = e.Field });
        var details = new JsonObject { ["name"] = name };
        if (kind.Group.Length > 0) details["group"] = kind.Group;
        details["kind"] = kind.Kind;
        details["causes"] = causes;

        // utilerrors.Aggregate: one error prints bare, several print as "[a, b]"; duplicates collapse.
        var messages = errors.Select(e => e.ToString()).Distinct().ToList();
        var aggregate = messages.Count == 1 ? messages[0] : "[" + string.Join(", ", messages) + "]";
        var message = messages.Count == 0 ? $"{kind} \"{name}\" is invalid" : $"{kind} \"{name}\" is invalid: {aggregate}";
        return new ApiException(422, "Invalid", message, details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Forbidden(GroupResource resource, string name, string why, JsonObject? cause = null)
    {
        var details = Details(resource, name);
        if (cause is not null) details["causes"] = new JsonArray(cause);
        var subject = name.Length == 0 ? resource.ToString() : $"{resource} \"{name}\"";
        return new ApiException(403, "Forbidden", $"{subject} is forbidden: {why}", details);
    }

    /// <summary>A request without valid credentials (unknown or expired token, deleted ServiceAccount).</summary>
    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    /// <summary>
    /// The authorizer's denial, worded as the apiserver's responsewriters.Forbidden: who cannot do which verb on
    /// which resource (with its subresource) in which API group and namespace, or on which path.
    /// </summary>
    public static ApiException Forbidden(Auth.RequestAttributes request, string reason)
    {
        string why;
        var user = GoFormat.Quote(request.User.Name);
        if (!request.IsResourceRequest)
            why = $"User {user} cannot {request.Verb} path {GoFormat.Quote(request.Path)}";
        else if (request.Namespace.Length > 0)
            why = $"User {user} cannot {request.Verb} resource {GoFormat.Quote(request.CombinedResource)} in API group {GoFormat.Quote(request.ApiGroup)} in the namespace {GoFormat.Quote(request.Namespace)}";
        else
            why = $"User {user} cannot {request.Verb} resource {GoFormat.Quote(request.CombinedResource)} in API group {GoFormat.Quote(request.ApiGroup)} at the cluster scope";
        // The writer escapes HTML metacharacters in the message (its sanitizer).
        why = why.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        if (reason.Length > 0) why += ": " + reason;

        var resource = new GroupResource(request.ApiGroup, request.Resource);
        var details = new JsonObject();
        if (request.Name.Length > 0) details["name"] = request.Name;
        if (request.ApiGroup.Length > 0) details["group"] = request.ApiGroup;
        if (request.Resource.Length > 0) details["kind"] = request.Resource;
        var message = request.Resource.Length == 0 && request.ApiGroup.Length == 0 ? $"forbidden: {why}"
            : request.Name.Length == 0 ? $"{resource} is forbidden: {why}"
            : $"{resource} {GoFormat.Quote(request.Name)} is forbidden: {why}";
        return new ApiException(403, "Forbidden", message, details);
    }

    public static ApiException MethodNotSupported(GroupResource resource, string action) =>
        new(405, "MethodNotAllowed", $"{action} is not supported on resources of kind \"{resource}\"",
            new JsonObject { ["group"] = resource.Group, ["kind"] = resource.Resource });

    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject());

    /// <summary>The answer for a path that names no resource the server serves.</summary>
    public static ApiException ResourceNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}");

    public static ApiException NotAcceptable(string message) => new(406, "NotAcceptable", message);

    /// <summary>410 for a resourceVersion the history window no longer holds (watch, continue token).</summary>
    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    public static ApiException TooManyRequests(int retryAfterSeconds)
    {
        var error = new ApiException(429, "TooManyRequests",
            "the server has received too many requests and has asked us to try again later",
            new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds });
        error.Headers["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return error;
    }

    public static ApiException Timeout(string message) =>
        new(504, "Timeout", message, new JsonObject { ["retryAfterSeconds"] = 1 });
}
