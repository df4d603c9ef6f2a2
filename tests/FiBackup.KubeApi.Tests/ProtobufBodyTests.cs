using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;
using static FiBackup.KubeApi.Tests.ProtoBytes;

namespace FiBackup.KubeApi.Tests;

/// <summary>Protobuf request bodies sent by hand: the fields kubectl's generators never set, and broken bodies.</summary>
public sealed class ProtobufBodyTests : IAsyncLifetime
{
    private const string Protobuf = "application/vnd.kubernetes.protobuf";
    private KubeApiServer _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await TestAssets.StartWithVmBackupCrdAsync();
        _http = _api.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private Task<(HttpStatusCode Code, JsonObject Body, string? ContentType)> PostAsync(string path, byte[] body) =>
        SendAsync(HttpMethod.Post, path, body);

    private async Task<(HttpStatusCode Code, JsonObject Body, string? ContentType)> SendAsync(HttpMethod method, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        // What client-go's typed clients ask for; the server answers in JSON, which they accept.
        request.Headers.Accept.ParseAdd($"{Protobuf},application/json");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>ObjectMeta (apimachinery meta/v1 generated.proto) with every field a client may set.</summary>
    private static byte[] RichMetadata() => Message(
        Text(2, "hv1-"),
        Text(3, "default"),
        Text(5, ""), Text(6, ""),                      // gogo writes empty strings; JSON must not get them
        Bytes(8, []),                                   // the zero creationTimestamp
        Entry(11, "app.kubernetes.io/name", "fi-backup"),
        Entry(12, "fibackup.io/host", "hv1"),
        Bytes(13, Message(Text(1, "ConfigMap"), Text(3, "owner"), Text(4, "0b7c1c3e-5a11-4c43-9c39-1f4a9f7f0d11"), Text(5, "v1"), Bool(6, true))),
        Text(14, "fibackup.io/cleanup"),
        Text(99, "a field from a newer Kubernetes"));

    [Fact]
    public async Task A_protobuf_delete_options_body_is_honoured_as_helm_uninstall_sends_it()
    {
        var secret = Message(Bytes(1, Message(Text(1, "sh.helm.release.v1.demo.v1"), Text(3, "default"))), Entry(4, "release", "x"));
        var (created, stored, _) = await PostAsync("api/v1/namespaces/default/secrets", Envelope("v1", "Secret", secret));
        Assert.Equal(HttpStatusCode.Created, created);
        const string path = "api/v1/namespaces/default/secrets/sh.helm.release.v1.demo.v1";

        // Preconditions (field 2) with a wrong uid: refused as upstream refuses it, nothing deleted.
        var stale = Message(Bytes(2, Message(Text(1, "00000000-0000-0000-0000-000000000000"))), Text(4, "Background"));
        var (refused, refusal, _) = await SendAsync(HttpMethod.Delete, path, Envelope("meta.k8s.io/v1", "DeleteOptions", stale));
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains("Precondition failed", refusal["message"]!.GetValue<string>());

        var uid = stored["metadata"]!["uid"]!.GetValue<string>();
        var options = Message(Bytes(2, Message(Text(1, uid))), Text(4, "Background"));
        var (deleted, _, _) = await SendAsync(HttpMethod.Delete, path, Envelope("meta.k8s.io/v1", "DeleteOptions", options));
        Assert.Equal(HttpStatusCode.OK, deleted);
        using var gone = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_protobuf_secret_keeps_metadata_data_string_data_type_and_immutable_and_is_answered_in_json()
    {
        var secret = Message(
            Bytes(1, RichMetadata()),
            Bool(5, true),
            Bytes(2, Message(Text(1, "id"), Bytes(2, [0x00, 0xfe, 0xff]))),
            Entry(4, "user", "root"),
            Text(3, "fibackup.io/ssh"));

        var (code, body, contentType) = await PostAsync("api/v1/namespaces/default/secrets", Envelope("v1", "Secret", secret));

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("application/json", contentType);
        var meta = body["metadata"]!;
        Assert.StartsWith("hv1-", meta["name"]!.GetValue<string>());
        Assert.Equal("fi-backup", meta["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("hv1", meta["annotations"]!["fibackup.io/host"]!.GetValue<string>());
        var owner = meta["ownerReferences"]![0]!;
        Assert.Equal("owner", owner["name"]!.GetValue<string>());
        Assert.Equal("v1", owner["apiVersion"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.Equal("fibackup.io/cleanup", meta["finalizers"]![0]!.GetValue<string>());
        Assert.Equal("AP7/", body["data"]!["id"]!.GetValue<string>());
        Assert.Equal("cm9vdA==", body["data"]!["user"]!.GetValue<string>());
        Assert.Null(body["stringData"]);
        Assert.Equal("fibackup.io/ssh", body["type"]!.GetValue<string>());
        Assert.True(body["immutable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_protobuf_service_account_keeps_its_secrets_pull_secrets_and_automount_false()
    {
        var sa = Message(
            Bytes(1, Message(Text(1, "mover"))),
            Bytes(2, Message(Text(3, "mover-token"))),
            Bytes(3, Message(Text(1, "registry"))),
            Bool(4, false));

        var (code, body, _) = await PostAsync("api/v1/namespaces/default/serviceaccounts", Envelope("v1", "ServiceAccount", sa));

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("mover-token", body["secrets"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("registry", body["imagePullSecrets"]![0]!["name"]!.GetValue<string>());
        Assert.False(body["automountServiceAccountToken"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_protobuf_put_updates_an_object_at_its_resource_version()
    {
        var (_, created, _) = await PostAsync("api/v1/namespaces/default/configmaps",
            Envelope("v1", "ConfigMap", Message(Bytes(1, Message(Text(1, "settings"))), Entry(2, "a", "1"))));
        var resourceVersion = created["metadata"]!["resourceVersion"]!.GetValue<string>();

        var update = Message(Bytes(1, Message(Text(1, "settings"), Text(6, resourceVersion))), Entry(2, "a", "2"),
            Bytes(3, Message(Text(1, "blob"), Bytes(2, [0xff]))));
        var (code, body, _) = await SendAsync(HttpMethod.Put, "api/v1/namespaces/default/configmaps/settings", Envelope("v1", "ConfigMap", update));

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("2", body["data"]!["a"]!.GetValue<string>());
        Assert.Equal("/w==", body["binaryData"]!["blob"]!.GetValue<string>());
        Assert.NotEqual(resourceVersion, body["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_protobuf_pod_keeps_container_resources_and_env()
    {
        var container = Message(Text(1, "mover"), Text(2, "busybox"),
            Bytes(7, Message(Text(1, "MODE"), Text(2, "full"))),
            Bytes(8, Message(Bytes(1, Message(Text(1, "memory"), Bytes(2, Message(Text(1, "64Mi"))))))));
        var pod = Message(Bytes(1, Message(Text(1, "mover"))), Bytes(2, Message(Bytes(2, container), Text(3, "Never"))));

        var (code, body, _) = await PostAsync("api/v1/namespaces/default/pods", Envelope("v1", "Pod", pod));

        Assert.Equal(HttpStatusCode.Created, code);
        var stored = body["spec"]!["containers"]![0]!;
        Assert.Equal("64Mi", stored["resources"]!["limits"]!["memory"]!.GetValue<string>());
        Assert.Equal("full", stored["env"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("Never", body["spec"]!["restartPolicy"]!.GetValue<string>());
        Assert.Equal("Pending", body["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_truncated_secret_message_is_400_naming_the_kind_and_the_problem()
    {
        var secret = Message(Bytes(1, Message(Text(1, "cut"))), Entry(4, "user", "root"));

        var (code, body, _) = await PostAsync("api/v1/namespaces/default/secrets", Envelope("v1", "Secret", secret[..^3]));

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("BadRequest", body["reason"]!.GetValue<string>());
        Assert.Equal("Secret in version \"v1\" cannot be handled as a Secret: unexpected EOF", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_truncated_envelope_is_400_as_an_unrecognized_object()
    {
        var secret = Message(Bytes(1, Message(Text(1, "cut"))));

        var (code, body, _) = await PostAsync("api/v1/namespaces/default/secrets", Envelope("v1", "Secret", secret)[..^2]);

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.StartsWith("the object provided is unrecognized (must be of type Secret): unexpected EOF (k8s", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_protobuf_field_with_the_wrong_wire_type_is_400()
    {
        var configMap = Message(Bytes(1, Message(Bool(1, true))));

        var (code, body, _) = await PostAsync("api/v1/namespaces/default/configmaps", Envelope("v1", "ConfigMap", configMap));

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field Name", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_without_the_protobuf_magic_is_400()
    {
        var (code, body, _) = await PostAsync("api/v1/namespaces", "{\"kind\":\"Namespace\"}"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({\"kind\":\"Namespace\"})",
            body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_protobuf_body_of_another_kind_is_400_as_for_json()
    {
        var configMap = Message(Bytes(1, Message(Text(1, "not-a-secret"))));

        var (code, body, _) = await PostAsync("api/v1/namespaces/default/secrets", Envelope("v1", "ConfigMap", configMap));

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("the kind in the data (ConfigMap) does not match the expected kind (Secret)", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_protobuf_body_for_a_custom_resource_is_415_as_upstream()
    {
        var (code, body, _) = await PostAsync("apis/fibackup.io/v1alpha1/namespaces/default/vmbackups",
            Envelope("fibackup.io/v1alpha1", "VmBackup", Message(Bytes(1, Message(Text(1, "web-1-manual"))))));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);
        Assert.Equal("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
            body["message"]!.GetValue<string>());
    }
}
