using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Selectors;
using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Tables;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>GET of one object or of a collection (selectors, limit/continue), as JSON or as a Table.</summary>
public sealed class ReadOperation(ApiContext api)
{
    public OperationResult Get(ResourceRequest request, RequestOptions options, ResponseShape shape)
    {
        var type = request.Type;
        JsonObject served;
        lock (api.Store.Gate)
        {
            var stored = api.Store.Get(type.Storage, request.Namespace, request.Name!)
                ?? throw ApiErrors.NotFound(type.GroupResource, request.Name!);
            served = type.ToServed(stored);
        }
        return shape switch
        {
            ResponseShape.Table => new(200, TableConverter.Convert(type, [served], served.Metadata().GetString("resourceVersion") ?? "", null, null, false, options.IncludeObject)),
            ResponseShape.PartialObjectMetadata => new(200, TableConverter.PartialObjectMetadata(served)),
            ResponseShape.PartialObjectMetadataList => throw ApiErrors.NotAcceptable("you requested PartialObjectMetadataList, but the requested object is not a list"),
            _ => new(200, served),
        };
    }

    public OperationResult List(ResourceRequest request, RequestOptions options, ResponseShape shape)
    {
        var type = request.Type;
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector, type);
        var items = new List<JsonObject>();
        string? next = null;
        long? remaining = null;
        long revision;
        lock (api.Store.Gate)
        {
            revision = api.Store.Revision;
            string? after = null;
            if (!string.IsNullOrEmpty(options.Continue))
            {
                var token = ContinueToken.Decode(options.Continue);
                if (!api.Store.History.CanResumeFrom(token.Revision))
                    throw ApiErrors.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
                revision = token.Revision;
                after = token.LastKey;
            }
            var limit = options.Limit is > 0 ? options.Limit.Value : long.MaxValue;
            string? lastKey = null;
            var matching = api.Store.List(type.Storage, request.Namespace, after)
                .Select(entry => (entry.Key, Object: type.ToServed(entry.Object)))
                .Where(entry => labels.Matches(entry.Object) && fields.Matches(entry.Object));
            var extra = 0L;
            foreach (var (key, obj) in matching)
            {
                if (items.Count < limit)
                {
                    items.Add(obj);
                    lastKey = key;
                }
                else extra++;
            }
            if (extra > 0)
            {
                next = ContinueToken.Encode(revision, lastKey!);
                // Upstream counts the rest only when no selector filters the list.
                if (labels.IsEverything && fields.IsEverything) remaining = extra;
            }
        }

        var rv = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (shape)
        {
            case ResponseShape.Table:
                return new(200, TableConverter.Convert(type, items, rv, next, remaining, false, options.IncludeObject));
            case ResponseShape.PartialObjectMetadataList:
                return new(200, new JsonObject
                {
                    ["kind"] = "PartialObjectMetadataList", ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = TableConverter.ListMeta(rv, next, remaining),
                    ["items"] = new JsonArray(items.Select(i => (JsonNode?)TableConverter.PartialObjectMetadata(i)).ToArray()),
                });
            case ResponseShape.PartialObjectMetadata:
                throw ApiErrors.NotAcceptable("you requested PartialObjectMetadata, but the requested object is a list");
        }
        return new(200, new JsonObject
        {
            ["apiVersion"] = type.ApiVersion,
            ["kind"] = type.ListKind,
            ["metadata"] = TableConverter.ListMeta(rv, next, remaining),
            ["items"] = new JsonArray(items.Select(i => (JsonNode?)i).ToArray()),
        });
    }
}

/// <summary>The opaque continue token of a paginated list: the list's revision and the last key returned.</summary>
public sealed record ContinueToken(long Revision, string LastKey)
{
    public static string Encode(long revision, string lastKey)
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = lastKey + "\u0000" };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonText.Serialize(json)));
    }

    public static ContinueToken Decode(string token)
    {
        try
        {
            var json = JsonText.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token))) as JsonObject;
            var start = json.GetString("start") ?? throw new FormatException();
            return new ContinueToken(json.GetInt64("rv") ?? 0, start.TrimEnd('\u0000'));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw ApiErrors.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
