using System.Globalization;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Selectors;
using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Tables;
using Microsoft.AspNetCore.Http;

namespace FiBackup.Testing.KubeApi.Watch;

/// <summary>
/// Serves ?watch=true as kube-apiserver does: a chunked stream of newline-delimited {"type","object"} events.
/// No resourceVersion (or "0") starts with ADDED for every current object; a resourceVersion resumes after it
/// from the history, or answers one ERROR event with a 410 Expired Status when it is too old. Bookmarks come
/// when asked for, and the stream ends after timeoutSeconds.
/// </summary>
public sealed class WatchOperation(ApiContext api)
{
    public async Task ServeAsync(HttpContext http, ResourceRequest request, RequestOptions options, ResponseShape shape, CancellationToken stopping)
    {
        var type = request.Type;
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector, type);
        var ns = request.Namespace;
        if (request.Name is not null)
            fields = FieldSelector.Parse(string.IsNullOrEmpty(options.FieldSelector) ? $"metadata.name={request.Name}" : $"{options.FieldSelector},metadata.name={request.Name}", type);
        var watcher = new Watcher(type, ns, labels, fields, options.AllowWatchBookmarks);

        lock (api.Store.Gate)
        {
            var rv = options.ResourceVersion;
            if (options.SendInitialEvents == true)
            {
                SendCurrentState(watcher);
                if (options.AllowWatchBookmarks)
                    watcher.Enqueue(new WatchMessage(WatchMessage.Bookmark,
                        WatchHub.Bookmark(watcher, api.Store.Revision, new JsonObject { ["k8s.io/initial-events-end"] = "true" })));
            }
            else if (string.IsNullOrEmpty(rv) || rv == "0")
                SendCurrentState(watcher);
            else
            {
                if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                    throw ApiErrors.BadRequest($"invalid resource version: {rv}");
                if (!api.Store.History.CanResumeFrom(from))
                {
                    var expired = ApiErrors.Expired($"too old resource version: {from} ({api.Store.History.Floor + 1})");
                    watcher.Enqueue(new WatchMessage(WatchMessage.Error, expired.ToStatus()));
                    watcher.Close();
                }
                else
                    foreach (var change in api.Store.History.Since(from)) watcher.Offer(change);
            }
            api.Store.Hub.Add(watcher);
        }

        try
        {
            await StreamAsync(http, watcher, options, shape, stopping);
        }
        finally
        {
            api.Store.Hub.Remove(watcher);
        }
    }

    private void SendCurrentState(Watcher watcher)
    {
        foreach (var (_, stored) in api.Store.List(watcher.Type.Storage, null))
        {
            var served = watcher.Type.ToServed(stored);
            if (watcher.Selects(served)) watcher.Enqueue(new WatchMessage("ADDED", served));
        }
    }

    private static async Task StreamAsync(HttpContext http, Watcher watcher, RequestOptions options, ResponseShape shape, CancellationToken stopping)
    {
        // Without timeoutSeconds kube-apiserver picks 30-60 minutes.
        var timeout = options.TimeoutSeconds is > 0
            ? TimeSpan.FromSeconds(options.TimeoutSeconds.Value)
            : TimeSpan.FromMinutes(30 + Random.Shared.Next(30));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        cancel.CancelAfter(timeout);

        http.Response.StatusCode = 200;
        http.Response.ContentType = MediaTypes.Json; // the stream framing is plain JSON even when objects are Tables
        await http.Response.Body.FlushAsync(cancel.Token).ConfigureAwait(false);

        var headersSent = false;
        try
        {
            await foreach (var message in watcher.Messages.ReadAllAsync(cancel.Token).ConfigureAwait(false))
            {
                var obj = message.Object;
                if (shape == ResponseShape.Table && message.Type is not (WatchMessage.Bookmark or WatchMessage.Error))
                {
                    // Column definitions ride on the first event only, as upstream's watch encoder does.
                    obj = TableConverter.Convert(watcher.Type, [obj], obj.Metadata().GetString("resourceVersion") ?? "", null, null, headersSent, options.IncludeObject);
                    headersSent = true;
                }
                var line = new JsonObject { ["type"] = message.Type, ["object"] = obj.DeepClone() };
                var bytes = JsonText.SerializeToUtf8(line);
                await http.Response.Body.WriteAsync(bytes, cancel.Token).ConfigureAwait(false);
                await http.Response.Body.WriteAsync("\n"u8.ToArray(), cancel.Token).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(cancel.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone, or server stopping: the stream simply ends.
        }
    }
}
