using System.Diagnostics;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Auth;
using FiBackup.Testing.KubeApi.Discovery;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Faults;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.OpenApi;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Protobuf;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Watch;
using Microsoft.AspNetCore.Http;

namespace FiBackup.Testing.KubeApi.Requests;

/// <summary>
/// Authenticates and authorizes each HTTP request (401/403 before anything is looked up, as kube-apiserver's
/// filter chain), maps it to discovery, OpenAPI, an access review or a resource operation, and writes every
/// failure as a metav1.Status with the matching code.
/// </summary>
public sealed class ApiRouter(ApiContext api, FaultInjector faults, OpenApiDocuments openApi, CancellationToken stopping)
{
    private readonly ObjectWriter _writer = new(api);
    private readonly Authenticator _authenticator = new(api.Store, api.Tokens);
    private readonly AccessReviews _reviews = new(api);
    private CreateOperation Create => new(api, _writer);
    private ReadOperation Read => new(api);
    private UpdateOperation Update => new(api, _writer);
    private PatchOperation Patch => new(api, _writer);
    private DeleteOperation Delete => new(api, _writer);
    private WatchOperation Watch => new(api);

    public async Task HandleAsync(HttpContext http)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var user = Admit(http.Request);
            RequestUser.Current = user;
            await RouteAsync(http, user).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(http, e).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            api.Options.RequestLog?.Invoke($"internal error: {e}");
            await WriteErrorAsync(http, ApiErrors.Internal(e.Message)).ConfigureAwait(false);
        }
        finally
        {
            api.Options.RequestLog?.Invoke($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString} {http.Response.StatusCode} ({clock.ElapsedMilliseconds} ms) accept={http.Request.Headers.Accept}");
        }
    }

    /// <summary>
    /// Who the request is from and whether it may proceed. The admin token without impersonation is allowed
    /// before any attribute is computed, so the common path costs one string comparison.
    /// </summary>
    private UserInfo Admit(HttpRequest request)
    {
        var user = _authenticator.Authenticate(request);
        if (request.Headers.ContainsKey("Impersonate-User") || request.Headers.ContainsKey("Impersonate-Group") || request.Headers.ContainsKey("Impersonate-Uid"))
            user = Impersonation.Apply(request, user, api.Rbac);
        if (user.IsPrivileged) return user;
        var attributes = RequestAttributes.From(request, user);
        var (allowed, reason) = api.Rbac.Authorize(attributes);
        return allowed ? user : throw ApiErrors.Forbidden(attributes, reason);
    }

    private async Task RouteAsync(HttpContext http, UserInfo user)
    {
        var path = http.Request.Path.Value?.TrimEnd('/') ?? "";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var accept = http.Request.Headers.Accept.ToString();
        var isGet = HttpMethods.IsGet(http.Request.Method);

        switch (path)
        {
            case "/version" when isGet:
                await WriteJsonAsync(http, 200, DiscoveryDocuments.Version());
                return;
            case "/healthz" or "/livez" or "/readyz" when isGet:
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("ok");
                return;
            case "/api" when isGet:
                if (MediaTypes.WantsAggregatedDiscovery(accept, out var coreVersion))
                    await WriteJsonAsync(http, 200, DiscoveryDocuments.Aggregated(api.Catalog, core: true, coreVersion), DiscoveryDocuments.AggregatedContentType(coreVersion));
                else
                    await WriteJsonAsync(http, 200, DiscoveryDocuments.CoreVersions($"{http.Request.Host}"));
                return;
            case "/apis" when isGet:
                if (MediaTypes.WantsAggregatedDiscovery(accept, out var groupsVersion))
                    await WriteJsonAsync(http, 200, DiscoveryDocuments.Aggregated(api.Catalog, core: false, groupsVersion), DiscoveryDocuments.AggregatedContentType(groupsVersion));
                else
                    await WriteJsonAsync(http, 200, DiscoveryDocuments.GroupList(api.Catalog));
                return;
            case "/openapi/v3" when isGet:
                await WriteJsonAsync(http, 200, openApi.Index());
                return;
        }

        if (segments.Length >= 2 && segments[0] == "openapi" && isGet)
        {
            var document = segments[1] == "v3" ? openApi.Document(string.Join('/', segments[2..])) : null;
            if (document is null) throw ApiErrors.ResourceNotFound();
            await WriteJsonAsync(http, 200, document);
            return;
        }

        string group, version;
        string[] rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 2 && segments[0] == "apis")
        {
            if (segments.Length == 2)
            {
                if (!isGet || !api.Catalog.Groups().Contains(segments[1])) throw ApiErrors.ResourceNotFound();
                await WriteJsonAsync(http, 200, DiscoveryDocuments.Group(api.Catalog, segments[1], withTypeMeta: true));
                return;
            }
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else throw ApiErrors.ResourceNotFound();

        if (!api.Catalog.IsServedGroupVersion(group, version)) throw ApiErrors.ResourceNotFound();
        if (rest.Length == 0)
        {
            if (!isGet) throw ApiErrors.MethodNotAllowed();
            await WriteJsonAsync(http, 200, DiscoveryDocuments.ResourceList(api.Catalog, group, version));
            return;
        }

        var request = ResourceRequest.Parse(api.Catalog, group, version, rest) ?? throw ApiErrors.ResourceNotFound();
        if (AccessReviews.Handles(request))
        {
            var body = HttpMethods.IsPost(http.Request.Method) ? await ReadObjectAsync(http, request.Type) : null;
            var review = _reviews.Serve(request, http.Request.Method, body, user);
            await WriteJsonAsync(http, review.StatusCode, review.Body);
            return;
        }
        await ServeResourceAsync(http, request, accept).ConfigureAwait(false);
    }

    private async Task ServeResourceAsync(HttpContext http, ResourceRequest request, string accept)
    {
        var options = RequestOptions.From(http.Request.Query);
        var method = http.Request.Method;
        var isWatch = request.LegacyWatchPath || (HttpMethods.IsGet(method) && options.Watch);

        if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, http.RequestAborted).ConfigureAwait(false);
        var target = new FaultTarget(method, http.Request.Path.Value ?? "", request.Type.Plural, request.Namespace, request.Name, isWatch);
        if (faults.NextFailure(target, request.Type.GroupResource) is { } injected) throw injected;

        var shape = MediaTypes.Negotiate(accept);
        if (isWatch)
        {
            await Watch.ServeAsync(http, request, options, shape, stopping).ConfigureAwait(false);
            return;
        }

        OperationResult result;
        if (HttpMethods.IsGet(method))
            result = request.Name is null ? Read.List(request, options, shape) : Read.Get(request, options, shape);
        else if (HttpMethods.IsPost(method))
            result = Create.Run(request, await ReadObjectAsync(http, request.Type), options);
        else if (HttpMethods.IsPut(method))
            result = Update.Run(request, await ReadObjectAsync(http, request.Type), options);
        else if (HttpMethods.IsPatch(method))
            result = Patch.Run(request, await ReadBodyAsync(http), http.Request.ContentType, options);
        else if (HttpMethods.IsDelete(method))
        {
            var body = await ReadBodyAsync(http);
            result = Delete.Run(request, body.Length == 0 ? null
                : MediaTypes.BaseType(http.Request.ContentType) == MediaTypes.Protobuf ? ProtobufBodies.DecodeDeleteOptions(body)
                : ParseJson(body), options);
        }
        else throw ApiErrors.MethodNotAllowed();

        if (shape == ResponseShape.Table && !HttpMethods.IsGet(method)) shape = ResponseShape.Object;
        foreach (var warning in result.Warnings)
            http.Response.Headers.Append("Warning", $"299 - {GoFormat.Quote(warning)}");
        await WriteJsonAsync(http, result.StatusCode, result.Body,
            result.Body.GetString("kind") == "Table" ? MediaTypes.TableV1 : MediaTypes.Json);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>A create/update body in JSON, YAML or (built-in kinds only, as upstream) protobuf.</summary>
    private static async Task<JsonNode?> ReadObjectAsync(HttpContext http, ResourceType type)
    {
        var mediaType = MediaTypes.BaseType(http.Request.ContentType);
        var protobuf = ProtobufBodies.Accepts(type);
        if (mediaType is not ("" or MediaTypes.Json or MediaTypes.Yaml or "*/*") && !(protobuf && mediaType == MediaTypes.Protobuf))
            throw ApiErrors.UnsupportedMediaType(mediaType,
                protobuf ? [MediaTypes.Json, MediaTypes.Yaml, MediaTypes.Protobuf] : [MediaTypes.Json, MediaTypes.Yaml]);
        var body = await ReadBodyAsync(http);
        return mediaType switch
        {
            MediaTypes.Yaml => YamlToJson.Parse(System.Text.Encoding.UTF8.GetString(body)),
            MediaTypes.Protobuf => ProtobufBodies.Decode(type, body),
            _ => ParseJson(body),
        };
    }

    private static JsonNode? ParseJson(byte[] body)
    {
        try
        {
            return JsonText.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiErrors.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    private static async Task WriteJsonAsync(HttpContext http, int statusCode, JsonNode body, string contentType = MediaTypes.Json)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = contentType;
        await http.Response.Body.WriteAsync(JsonText.SerializeToUtf8(body), http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteErrorAsync(HttpContext http, ApiException error)
    {
        if (http.Response.HasStarted) return;
        foreach (var (name, value) in error.Headers) http.Response.Headers[name] = value;
        await WriteJsonAsync(http, error.Code, error.ToStatus()).ConfigureAwait(false);
    }
}
