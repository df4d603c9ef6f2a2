namespace FiBackup.Operator.Tests.Runtime;

public sealed class ResourceClientTests
{
    [Fact]
    public async Task A_built_in_kind_is_created_read_listed_and_deleted_through_the_core_group()
    {
        await using var api = await KubeApiServer.StartAsync();
        using var kubernetes = api.CreateClient();
        var client = new ResourceClient<V1ConfigMap>(kubernetes, ResourceKind<V1ConfigMap>.FromEntity(), "default");

        await client.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "a", NamespaceProperty = "default" }, Data = new Dictionary<string, string> { ["k"] = "v" } });
        var read = await client.GetAsync(new ObjectKey("default", "a"));
        var list = await client.ListAsync();

        Assert.Equal("v", read!.Data["k"]);
        Assert.Equal("ConfigMap", Assert.Single(list.Items).Kind);
        Assert.NotEmpty(list.ResourceVersion);
        Assert.True(await client.DeleteAsync(new ObjectKey("default", "a")));
        Assert.Null(await client.GetAsync(new ObjectKey("default", "a")));
    }

    [Fact]
    public async Task A_custom_resource_status_is_patched_through_the_status_subresource_only()
    {
        await using var api = await KubeApiServer.StartAsync();
        await api.CreateFromYamlAsync(Widget.CrdYaml);
        using var kubernetes = api.CreateClient();
        var client = new ResourceClient<Widget>(kubernetes, Widget.ResourceKind);
        await client.CreateAsync(Widget.New("w"));

        var patched = await client.PatchStatusAsync(new ObjectKey("default", "w"),
            new V1Patch("""{"status":{"phase":"Ready"},"spec":{"size":"huge"}}""", V1Patch.PatchType.MergePatch));

        Assert.Equal("Ready", patched.Status!.Phase);
        Assert.Equal("small", patched.Spec.Size);
    }

    [Fact]
    public async Task A_client_scoped_to_one_namespace_lists_only_it_and_an_unscoped_one_lists_all()
    {
        await using var api = await KubeApiServer.StartAsync(new KubeApiServerOptions { Namespaces = ["default", "vm-backups"] });
        await api.CreateFromYamlAsync(Widget.CrdYaml);
        using var kubernetes = api.CreateClient();
        var everywhere = new ResourceClient<Widget>(kubernetes, Widget.ResourceKind);
        await everywhere.CreateAsync(Widget.New("here", @namespace: "vm-backups"));
        await everywhere.CreateAsync(Widget.New("there", @namespace: "default"));

        var scoped = new ResourceClient<Widget>(kubernetes, Widget.ResourceKind, "vm-backups");

        Assert.Equal(["here"], (await scoped.ListAsync()).Items.Select(w => w.Metadata.Name));
        Assert.Equal(["here", "there"], (await everywhere.ListAsync()).Items.Select(w => w.Metadata.Name).Order());
    }
}
