using System.Net;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.KubeApi.Tests;

/// <summary>The server driven by KubernetesClient, the library the operator is built on.</summary>
public sealed class ClientConformanceTests : ServerAndClient
{
    protected override Task<KubeApiServer> StartServerAsync() => TestAssets.StartWithVmBackupCrdAsync(new KubeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });

    private static V1ConfigMap ConfigMap(string name, string value = "1", IDictionary<string, string>? labels = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = new Dictionary<string, string> { ["a"] = value } };

    private async Task<JsonObject> CreateVmBackupAsync(string name, string domain = "web-1") =>
        TestAssets.AsNode(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(TestAssets.VmBackup(name, domain), "fibackup.io", "v1alpha1", "default", "vmbackups"));

    private async Task<JsonObject> GetVmBackupAsync(string name) =>
        TestAssets.AsNode(await _client.CustomObjects.GetNamespacedCustomObjectAsync("fibackup.io", "v1alpha1", "default", "vmbackups", name));

    private Task<object> MergePatchVmBackupAsync(string name, string patch, bool status = false) => status
        ? _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "fibackup.io", "v1alpha1", "default", "vmbackups", name)
        : _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "fibackup.io", "v1alpha1", "default", "vmbackups", name);

    [Fact]
    public async Task Create_get_update_delete_round_trip_with_server_assigned_metadata()
    {
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default");
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.True(long.Parse(created.Metadata.ResourceVersion) > 0);
        Assert.NotNull(created.Metadata.CreationTimestamp);

        created.Data["a"] = "2";
        var updated = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "settings", "default");
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));
        Assert.Equal("2", (await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default")).Data["a"]);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("settings", "default");
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("\"message\":\"configmaps \\\"settings\\\" not found\"", missing.Response.Content);
        Assert.Contains("\"reason\":\"NotFound\"", missing.Response.Content);
    }

    [Fact]
    public async Task Creating_an_existing_name_is_409_already_exists_with_a_status_body()
    {
        await CreateVmBackupAsync("web-1-manual");
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateVmBackupAsync("web-1-manual"));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = (JsonObject)JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal("AlreadyExists", status["reason"]!.GetValue<string>());
        Assert.Equal("vmbackups.fibackup.io \"web-1-manual\" already exists", status["message"]!.GetValue<string>());
        Assert.Equal("vmbackups", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(409, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Updating_with_a_stale_resource_version_is_409_conflict()
    {
        var first = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default");
        var stale = await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default");
        first.Data["a"] = "2";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "settings", "default");

        stale.Data["a"] = "3";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "settings", "default"));
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", error.Response.Content);
    }

    [Fact]
    public async Task Status_subresource_writes_only_status_and_generation_follows_spec_changes()
    {
        var created = await CreateVmBackupAsync("web-1-manual");
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());

        await MergePatchVmBackupAsync("web-1-manual", """{"spec":{"domain":"ignored"},"status":{"phase":"Running"}}""", status: true);
        var afterStatus = await GetVmBackupAsync("web-1-manual");
        Assert.Equal("Running", afterStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("web-1", afterStatus["spec"]!["domain"]!.GetValue<string>());
        Assert.Equal(1, afterStatus["metadata"]!["generation"]!.GetValue<long>());

        await MergePatchVmBackupAsync("web-1-manual", """{"metadata":{"labels":{"a":"b"}},"status":{"phase":"Failed"}}""");
        var afterLabel = await GetVmBackupAsync("web-1-manual");
        Assert.Equal("Running", afterLabel["status"]!["phase"]!.GetValue<string>()); // the main endpoint ignores status
        Assert.Equal(1, afterLabel["metadata"]!["generation"]!.GetValue<long>());

        await MergePatchVmBackupAsync("web-1-manual", """{"spec":{"mode":"Full"}}""");
        Assert.Equal(2, (await GetVmBackupAsync("web-1-manual"))["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Schema_violations_are_422_invalid_with_causes_naming_the_fields()
    {
        var bad = TestAssets.VmBackup("web-1-bad");
        bad["spec"]!["domain"] = "";
        bad["spec"]!["retries"] = "three";
        bad["spec"]!["notBefore"] = "tomorrow";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CustomObjects.CreateNamespacedCustomObjectAsync(bad, "fibackup.io", "v1alpha1", "default", "vmbackups"));
        Assert.Equal((HttpStatusCode)422, error.Response.StatusCode);
        var status = (JsonObject)JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        var fields = status["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        Assert.Contains("spec.domain", fields);
        Assert.Contains("spec.retries", fields);
        Assert.Contains("spec.notBefore", fields);
        Assert.Contains("spec.retries: Invalid value: \"string\": spec.retries in body must be of type integer: \"string\"", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_and_defaults_applied_without_strict_validation()
    {
        var obj = TestAssets.VmBackup("web-1-manual");
        obj["spec"]!["unknownThing"] = 1;
        obj["spec"]!["bandwidthLimit"] = "200Mi";
        obj["spec"]!["extra"] = new JsonObject { ["anything"] = new JsonObject { ["goes"] = true } };
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(obj, "fibackup.io", "v1alpha1", "default", "vmbackups");
        var stored = await GetVmBackupAsync("web-1-manual");
        Assert.Null(stored["spec"]!["unknownThing"]);
        Assert.Equal("Auto", stored["spec"]!["mode"]!.GetValue<string>());
        Assert.Equal("200Mi", stored["spec"]!["bandwidthLimit"]!.GetValue<string>());
        Assert.True(stored["spec"]!["extra"]!["anything"]!["goes"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_watch_resumes_after_the_given_resource_version()
    {
        var first = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), "default");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("two"), "default");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("one", "default");

        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        var seen = new List<string>();
        await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("default",
            resourceVersion: first.Metadata.ResourceVersion, cancellationToken: cancel.Token))
        {
            seen.Add($"{type} {cm.Metadata.Name}");
            if (seen.Count == 2) break;
        }
        Assert.Equal(["Added two", "Deleted one"], seen);
    }

    [Fact]
    public async Task Bookmarks_arrive_on_a_watch_that_allows_them()
    {
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true,
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
        {
            Assert.Equal(WatchEventType.Bookmark, type);
            Assert.Equal(list.Metadata.ResourceVersion, cm.Metadata.ResourceVersion);
            return;
        }
        Assert.Fail("the watch ended without a bookmark");
    }

    [Fact]
    public async Task An_expired_resource_version_gives_410_gone_that_the_client_surfaces()
    {
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), "default");
        _api.Faults.ExpireResourceVersions();

        Exception? error = null;
        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        try
        {
            await foreach (var _ in _client.CoreV1.WatchListNamespacedConfigMapAsync("default",
                resourceVersion: created.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: cancel.Token)) { }
        }
        catch (KubernetesException e)
        {
            error = e;
        }
        var gone = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);

        // A fresh list hands out a resourceVersion that can be watched again.
        var relist = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        Assert.True(long.Parse(relist.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Finalizers_delay_deletion_until_the_last_one_is_removed()
    {
        var cm = ConfigMap("guarded");
        cm.Metadata.Finalizers = ["fibackup.io/cleanup"];
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("guarded", "default");
        var terminating = await _client.CoreV1.ReadNamespacedConfigMapAsync("guarded", "default");
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        terminating.Metadata.Finalizers.Add("fibackup.io/late");
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(terminating, "guarded", "default"));
        Assert.Contains("no new finalizers can be added if the object is being deleted", refused.Response.Content);

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "guarded", "default");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("guarded", "default"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Deleting_an_owner_deletes_its_dependents_in_the_background()
    {
        var owner = await CreateVmBackupAsync("web-1-manual");
        var dependent = ConfigMap("web-1-manual-progress");
        dependent.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = "fibackup.io/v1alpha1", Kind = "VmBackup", Name = "web-1-manual", Uid = owner["metadata"]!["uid"]!.GetValue<string>() },
        ];
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(dependent, "default");

        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync("fibackup.io", "v1alpha1", "default", "vmbackups", "web-1-manual");
        await foreach (var (type, cm) in _client.CoreV1.WatchListNamespacedConfigMapAsync("default",
            resourceVersion: created.Metadata.ResourceVersion, cancellationToken: cancel.Token))
        {
            if (type == WatchEventType.Deleted && cm.Metadata.Name == "web-1-manual-progress") return;
        }
        Assert.Fail("the dependent was not deleted");
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists()
    {
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", labels: new Dictionary<string, string> { ["tier"] = "web" }), "default");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", labels: new Dictionary<string, string> { ["tier"] = "db" }), "default");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c"), "default");

        Assert.Equal(["a"], (await _client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "tier=web")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["a", "b"], (await _client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "tier in (web,db)")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["c"], (await _client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "!tier")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["b"], (await _client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=b")).Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task Limit_and_continue_page_through_a_list()
    {
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
            await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name), "default");
        var page1 = await _client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2);
        Assert.Equal(["a", "b"], page1.Items.Select(i => i.Metadata.Name));
        Assert.Equal(3, page1.Metadata.RemainingItemCount);
        var page2 = await _client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: page1.Metadata.ContinueProperty);
        Assert.Equal(["c", "d"], page2.Items.Select(i => i.Metadata.Name));
        var page3 = await _client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: page2.Metadata.ContinueProperty);
        Assert.Equal(["e"], page3.Items.Select(i => i.Metadata.Name));
        Assert.Null(page3.Metadata.ContinueProperty);
        Assert.Equal(page1.Metadata.ResourceVersion, page3.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Generate_name_gives_a_unique_name_with_the_prefix()
    {
        var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "backup-" } };
        var a = await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        var b = await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        Assert.Matches("^backup-[a-z0-9]{5}$", a.Metadata.Name);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task Objects_cannot_be_created_in_a_missing_namespace_and_deleting_a_namespace_empties_it()
    {
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "nowhere"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("namespaces \\\"nowhere\\\" not found", missing.Response.Content);

        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "scratch" } });
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "scratch");
        var list = await _client.CoreV1.ListNamespaceAsync();
        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        await _client.CoreV1.DeleteNamespaceAsync("scratch");
        await foreach (var (type, ns) in _client.CoreV1.WatchListNamespaceAsync(resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
            if (type == WatchEventType.Deleted && ns.Metadata.Name == "scratch") break;
        Assert.Empty((await _client.CoreV1.ListNamespacedConfigMapAsync("scratch")).Items);
    }

    [Fact]
    public async Task Secret_string_data_is_stored_as_base64_data()
    {
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "hv1-ssh" }, StringData = new Dictionary<string, string> { ["key"] = "hello" } };
        await _client.CoreV1.CreateNamespacedSecretAsync(secret, "default");
        var stored = await _client.CoreV1.ReadNamespacedSecretAsync("hv1-ssh", "default");
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(stored.Data["key"]));
        Assert.Null(stored.StringData);
        Assert.Equal("Opaque", stored.Type);
    }
}

/// <summary>Built-in kinds whose server-side rules the operator depends on.</summary>
public sealed class BuiltInKindTests : ServerAndClient
{
    [Fact]
    public async Task An_events_k8s_io_event_is_also_a_core_event()
    {
        var recorded = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web-1.1" },
            EventTime = DateTime.UtcNow,
            ReportingController = "fibackup.io/operator",
            ReportingInstance = "operator-0",
            Action = "Backup",
            Reason = "InvalidSpec",
            Note = "spec.schedule: invalid cron expression",
            Type = "Warning",
            Regarding = new V1ObjectReference { Kind = "VmBackupPolicy", Name = "nightly", NamespaceProperty = "default" },
        };
        await _client.EventsV1.CreateNamespacedEventAsync(recorded, "default");

        var core = Assert.Single((await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=nightly")).Items);
        Assert.Equal("spec.schedule: invalid cron expression", core.Message);
        Assert.Equal("VmBackupPolicy", core.InvolvedObject.Kind);
        Assert.Equal("fibackup.io/operator", core.ReportingComponent);
        var back = await _client.EventsV1.ReadNamespacedEventAsync("web-1.1", "default");
        Assert.Equal("spec.schedule: invalid cron expression", back.Note);
    }

    [Fact]
    public async Task A_job_without_a_restart_policy_of_never_or_on_failure_is_invalid()
    {
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "mover" },
            Spec = new V1JobSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "m", Image = "busybox" }] } } },
        };
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.BatchV1.CreateNamespacedJobAsync(job, "default"));
        Assert.Contains("spec.template.spec.restartPolicy: Unsupported value: \\\"Always\\\": supported values: \\\"OnFailure\\\", \\\"Never\\\"", error.Response.Content);

        job.Spec.Template.Spec.RestartPolicy = "Never";
        var created = await _client.BatchV1.CreateNamespacedJobAsync(job, "default");
        Assert.Equal(6, created.Spec.BackoffLimit);
        Assert.Equal(created.Metadata.Uid, created.Spec.Template.Metadata.Labels["batch.kubernetes.io/controller-uid"]);
    }
}
