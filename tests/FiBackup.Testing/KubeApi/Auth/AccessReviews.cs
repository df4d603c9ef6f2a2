using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Auth;

/// <summary>
/// The computed, never stored, answers about the requesting user: SelfSubjectAccessReview (kubectl auth can-i),
/// SelfSubjectRulesReview (can-i --list), SelfSubjectReview (auth whoami), and TokenRequest on
/// serviceaccounts/token (kubectl create token).
/// </summary>
public sealed class AccessReviews(ApiContext api)
{
    private const string ServiceAccountAudience = ServiceAccountTokens.Issuer;

    public static bool Handles(ResourceRequest request) =>
        request.Type.Verbs.SequenceEqual(["create"]) || (request.Type.GroupResource == new GroupResource("", "serviceaccounts") && request.Subresource == "token");

    public OperationResult Serve(ResourceRequest request, string method, JsonNode? body, UserInfo user)
    {
        if (method != "POST") throw ApiErrors.MethodNotSupported(request.Type.GroupResource, method.ToLowerInvariant() switch
        {
            "get" => request.Name is null ? "list" : "get",
            var verb => verb,
        });
        if (body is not JsonObject review) throw ApiErrors.BadRequest("the request body is not an object");
        return request.Type.Kind switch
        {
            "SelfSubjectAccessReview" => AccessReview(review, user),
            "SelfSubjectRulesReview" => RulesReview(review, user),
            "SelfSubjectReview" => Answer(review, "authentication.k8s.io/v1", "SelfSubjectReview", new JsonObject { ["userInfo"] = UserInfoJson(user) }),
            _ => TokenRequest(request, review),
        };
    }

    private OperationResult AccessReview(JsonObject review, UserInfo user)
    {
        var spec = review["spec"] as JsonObject ?? [];
        RequestAttributes attributes;
        if (spec["resourceAttributes"] is JsonObject resource && spec["nonResourceAttributes"] is null)
            attributes = new RequestAttributes
            {
                User = user, IsResourceRequest = true, Verb = resource.GetString("verb") ?? "", ApiGroup = resource.GetString("group") ?? "",
                ApiVersion = resource.GetString("version") ?? "", Resource = resource.GetString("resource") ?? "",
                Subresource = resource.GetString("subresource") ?? "", Name = resource.GetString("name") ?? "",
                Namespace = resource.GetString("namespace") ?? "",
            };
        else if (spec["nonResourceAttributes"] is JsonObject nonResource && spec["resourceAttributes"] is null)
            attributes = new RequestAttributes { User = user, Verb = nonResource.GetString("verb") ?? "", Path = nonResource.GetString("path") ?? "" };
        else
            throw ApiErrors.Invalid(new GroupKind("authorization.k8s.io", "SelfSubjectAccessReview"), "",
                [FieldError.Invalid("spec.resourceAttributes", JsonText.Serialize(spec), "exactly one of nonResourceAttributes or resourceAttributes must be specified")]);

        var (allowed, reason) = api.Rbac.Authorize(attributes);
        var status = new JsonObject { ["allowed"] = allowed };
        if (reason.Length > 0) status["reason"] = reason;
        return Answer(review, "authorization.k8s.io/v1", "SelfSubjectAccessReview", status);
    }

    private OperationResult RulesReview(JsonObject review, UserInfo user)
    {
        var ns = review.Walk("spec.namespace")?.ToString() ?? "";
        IReadOnlyList<PolicyRule> rules;
        IReadOnlyList<string> errors = [];
        // system:masters is allowed by the privileged-group authorizer, whose rules are everything.
        if (user.IsPrivileged) rules = [new(["*"], ["*"], ["*"], [], []), new(["*"], [], [], [], ["*"])];
        else (rules, errors) = api.Rbac.Policy.RulesFor(user, ns);

        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            var json = rule.ToJson();
            if (rule.NonResourceUrls.Count > 0) nonResourceRules.Add(new JsonObject { ["verbs"] = json["verbs"]!.DeepClone(), ["nonResourceURLs"] = json["nonResourceURLs"]!.DeepClone() });
            else
            {
                json.Remove("nonResourceURLs");
                json["apiGroups"] ??= new JsonArray();
                json["resources"] ??= new JsonArray();
                resourceRules.Add(json);
            }
        }
        var status = new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = errors.Count > 0 };
        if (errors.Count > 0) status["evaluationError"] = RbacPolicy.Aggregate(errors);
        return Answer(review, "authorization.k8s.io/v1", "SelfSubjectRulesReview", status);
    }

    private OperationResult TokenRequest(ResourceRequest request, JsonObject tokenRequest)
    {
        var ns = request.Namespace ?? "";
        var name = request.Name ?? "";
        string uid;
        lock (api.Store.Gate)
            uid = api.Store.Get(request.Type.Storage, ns, name)?.Uid() ?? throw ApiErrors.NotFound(request.Type.GroupResource, name);

        var spec = tokenRequest["spec"] as JsonObject ?? [];
        var seconds = spec.GetInt64("expirationSeconds") ?? (long)ServiceAccountTokens.DefaultLifetime.TotalSeconds;
        if (seconds < 600)
            throw ApiErrors.Invalid(new GroupKind("authentication.k8s.io", "TokenRequest"), "",
                [FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")]);
        var audiences = (spec["audiences"] as JsonArray ?? []).Select(a => a?.ToString() ?? "").Where(a => a.Length > 0).ToList();
        if (audiences.Count == 0) audiences = [ServiceAccountAudience];

        var token = api.Tokens.Issue(ns, name, uid, TimeSpan.FromSeconds(seconds), audiences, out var expires);
        var answeredSpec = new JsonObject
        {
            ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray()),
            ["expirationSeconds"] = seconds,
            ["boundObjectRef"] = spec["boundObjectRef"]?.DeepClone(),
        };
        return new OperationResult(201, new JsonObject
        {
            ["kind"] = "TokenRequest", ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = null },
            ["spec"] = answeredSpec,
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = JsonNodes.Timestamp(expires) },
        });
    }

    private static JsonObject UserInfoJson(UserInfo user)
    {
        var info = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0) info["uid"] = user.Uid;
        info["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)g).ToArray());
        return info;
    }

    private static OperationResult Answer(JsonObject review, string apiVersion, string kind, JsonObject status)
    {
        var answer = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion, ["metadata"] = new JsonObject { ["creationTimestamp"] = null } };
        if (review["spec"] is { } spec) answer["spec"] = spec.DeepClone();
        answer["status"] = status;
        return new OperationResult(201, answer);
    }
}
