using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.KubeApi.Tests;

/// <summary>RBAC enforcement through KubernetesClient and raw HTTP: subresources, 401s, anonymous requests, Status bodies.</summary>
public sealed class RbacClientTests : RbacFixture
{
    private static JsonObject StatusOf(HttpOperationException e) => (JsonObject)JsonNode.Parse(e.Response.Content)!;

    [Fact]
    public async Task A_status_patch_is_allowed_while_the_patch_of_the_main_resource_is_denied()
    {
        await CreateVmBackupAsync("b1");
        await GrantAsync("status-writer", "[get, patch]", "[vmbackups/status]");
        using var client = Api.CreateClientFor("ops", "mover");

        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "fibackup.io", "v1alpha1", "ops", "vmbackups", "b1");

        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"domain":"web-2"}}""", V1Patch.PatchType.MergePatch), "fibackup.io", "v1alpha1", "ops", "vmbackups", "b1"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
        var status = StatusOf(denied);
        Assert.Equal($"vmbackups.fibackup.io \"b1\" is forbidden: User \"{Mover}\" cannot patch resource \"vmbackups\" in API group \"fibackup.io\" in the namespace \"ops\"", status["message"]?.ToString());
        Assert.Equal("Forbidden", status["reason"]?.ToString());
        Assert.Equal(403, status["code"]?.GetValue<int>());
        Assert.Equal("""{"name":"b1","group":"fibackup.io","kind":"vmbackups"}""", status["details"]?.ToJsonString());
    }

    [Fact]
    public async Task A_denied_status_patch_names_the_subresource_in_the_message()
    {
        await CreateVmBackupAsync("b1");
        using var client = Api.CreateClientFor("ops", "mover");
        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "fibackup.io", "v1alpha1", "ops", "vmbackups", "b1"));
        Assert.Equal($"vmbackups.fibackup.io \"b1\" is forbidden: User \"{Mover}\" cannot patch resource \"vmbackups/status\" in API group \"fibackup.io\" in the namespace \"ops\"",
            StatusOf(denied)["message"]?.ToString());
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_reports_it_in_the_denial()
    {
        await AdminApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: dangling, namespace: ops}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: not-there}
            subjects: [{kind: ServiceAccount, name: mover}]
            """);
        using var client = Api.CreateClientFor("ops", "mover");
        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("ops"));
        Assert.Equal($"configmaps is forbidden: User \"{Mover}\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"ops\": RBAC: role.rbac.authorization.k8s.io \"not-there\" not found",
            StatusOf(denied)["message"]?.ToString());
    }

    [Fact]
    public async Task A_token_of_a_deleted_service_account_is_401_with_the_upstream_status()
    {
        var token = Api.IssueToken("ops", "mover");
        using var http = new HttpClient { BaseAddress = Api.Url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api")).StatusCode);

        (await Api.Kubectl.RunAsync("delete", "serviceaccount", "mover", "-n", "ops")).EnsureSuccess();
        using var response = await http.GetAsync("api");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""",
            await response.Content.ReadAsStringAsync());

        var kubectl = await MoverAsync("get", "vmbackups");
        Assert.True(kubectl.StdErr.Contains("error: You must be logged in to the server", StringComparison.Ordinal), kubectl.StdErr);
    }

    [Fact]
    public async Task A_recreated_service_account_does_not_accept_the_old_token()
    {
        var token = Api.IssueToken("ops", "mover");
        (await Api.Kubectl.RunAsync("delete", "serviceaccount", "mover", "-n", "ops")).EnsureSuccess();
        (await Api.Kubectl.RunAsync("create", "serviceaccount", "mover", "-n", "ops")).EnsureSuccess();
        using var http = new HttpClient { BaseAddress = Api.Url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("version")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_requests_over_https_may_read_version_and_health_but_not_discovery()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { BaseAddress = Api.SecureUrl };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("version")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        using var api = await http.GetAsync("api");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"/api\"","reason":"Forbidden","details":{},"code":403}""",
            await api.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Discovery_and_openapi_work_for_a_service_account_without_roles()
    {
        using var client = Api.CreateClientFor("ops", "mover");
        var groups = await client.Apis.GetAPIVersionsAsync();
        Assert.Contains(groups.Groups, g => g.Name == "fibackup.io");
        var token = Api.IssueToken("ops", "mover");
        using var http = new HttpClient { BaseAddress = Api.Url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("openapi/v3")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("apis/fibackup.io/v1alpha1")).StatusCode);
    }

    [Fact]
    public async Task A_cluster_scoped_denial_and_a_non_resource_denial_use_their_message_shapes()
    {
        using var client = Api.CreateClientFor("ops", "mover");
        var crd = await Assert.ThrowsAsync<HttpOperationException>(() => client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("vmbackups.fibackup.io"));
        Assert.Equal($"customresourcedefinitions.apiextensions.k8s.io \"vmbackups.fibackup.io\" is forbidden: User \"{Mover}\" cannot get resource \"customresourcedefinitions\" in API group \"apiextensions.k8s.io\" at the cluster scope",
            StatusOf(crd)["message"]?.ToString());

        using var http = new HttpClient { BaseAddress = Api.Url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Api.IssueToken("ops", "mover"));
        using var metrics = await http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
        Assert.Contains($"\"message\":\"forbidden: User \\\"{Mover}\\\" cannot get path \\\"/metrics\\\"\"", await metrics.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_list_selecting_one_name_is_authorized_by_a_resource_names_rule()
    {
        await CreateVmBackupAsync("mine");
        await GrantAsync("only-mine", "[list, watch]", "[vmbackups]", resourceNames: "[mine]");
        using var client = Api.CreateClientFor("ops", "mover");
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync("fibackup.io", "v1alpha1", "ops", "vmbackups", fieldSelector: "metadata.name=mine");
        Assert.Single((TestAssets.AsNode(list)["items"] as JsonArray)!);
        await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListNamespacedCustomObjectAsync("fibackup.io", "v1alpha1", "ops", "vmbackups"));
    }

    [Fact]
    public async Task Removing_the_binding_takes_the_permission_away_on_the_next_request()
    {
        await GrantAsync("reader", "[list]", "[vmbackups]");
        using var client = Api.CreateClientFor("ops", "mover");
        await client.CustomObjects.ListNamespacedCustomObjectAsync("fibackup.io", "v1alpha1", "ops", "vmbackups");
        (await Api.Kubectl.RunAsync("delete", "rolebinding", "reader", "-n", "ops")).EnsureSuccess();
        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListNamespacedCustomObjectAsync("fibackup.io", "v1alpha1", "ops", "vmbackups"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
    }
}
