using System.Net;
using FiBackup.Testing.KubeApi;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.KubeApi.Tests;

/// <summary>Owner references as kube-controller-manager's garbage collector treats them, driven by KubernetesClient.</summary>
public sealed class GarbageCollectionTests : ServerAndClient
{
    private async Task<V1ConfigMap> CreateAsync(string name, V1ConfigMap? owner = null, IList<string>? finalizers = null) =>
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Finalizers = finalizers,
                OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid }],
            },
        }, "default");

    private async Task<V1ConfigMap?> FindAsync(string name)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var cancel = new CancellationTokenSource(TestAssets.Patience);
        while (!await condition())
        {
            if (cancel.IsCancellationRequested) Assert.Fail($"{what} within {TestAssets.Patience}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_dependent_whose_owner_never_existed_is_deleted()
    {
        var ghost = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "ghost", Uid = Guid.NewGuid().ToString() } };
        await CreateAsync("dangling", owner: ghost);

        await EventuallyAsync(async () => await FindAsync("dangling") is null, "the dependent of a missing owner was not deleted");
    }

    [Fact]
    public async Task Foreground_deletion_keeps_the_owner_until_its_dependents_are_gone()
    {
        var owner = await CreateAsync("owner");
        await CreateAsync("blocker", owner, finalizers: ["test.fibackup.io/hold"]);
        await CreateAsync("plain", owner);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default", propagationPolicy: "Foreground");
        await EventuallyAsync(async () => await FindAsync("plain") is null, "the dependent without finalizers was not deleted");
        var waiting = await FindAsync("owner");
        Assert.NotNull(waiting);
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", waiting.Metadata.Finalizers);
        Assert.NotNull((await FindAsync("blocker"))?.Metadata.DeletionTimestamp);

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "blocker", "default");
        await EventuallyAsync(async () => await FindAsync("owner") is null, "the owner was not deleted after its last dependent");
    }

    [Fact]
    public async Task Orphan_deletion_keeps_the_dependents_without_the_reference()
    {
        var owner = await CreateAsync("owner");
        await CreateAsync("child", owner);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default", propagationPolicy: "Orphan");
        await EventuallyAsync(async () => await FindAsync("owner") is null, "the orphaning owner was not deleted");
        var child = await FindAsync("child");
        Assert.NotNull(child);
        Assert.Null(child.Metadata.DeletionTimestamp);
        Assert.True(child.Metadata.OwnerReferences is null or { Count: 0 });
    }

    [Fact]
    public async Task Dependents_are_collected_after_the_history_was_compacted()
    {
        var owner = await CreateAsync("owner");
        await CreateAsync("child", owner);
        _api.Faults.ExpireResourceVersions();

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default");
        await EventuallyAsync(async () => await FindAsync("child") is null, "the dependent was not deleted");
    }

    [Fact]
    public async Task Deleting_a_crd_collects_the_dependents_of_its_custom_resources()
    {
        await _api.CreateFromYamlAsync(TestAssets.Read("vmbackup-crd.yaml"));
        var backup = TestAssets.AsNode(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(TestAssets.VmBackup("web-1-manual"), "fibackup.io", "v1alpha1", "default", "vmbackups"));
        var owner = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "web-1-manual", Uid = backup["metadata"]!["uid"]!.GetValue<string>() } };
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "progress",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "fibackup.io/v1alpha1", Kind = "VmBackup", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid }],
            },
        }, "default");

        await _client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("vmbackups.fibackup.io");
        await EventuallyAsync(async () => await FindAsync("progress") is null, "the dependent of a custom resource was not deleted with its CRD");
    }
}
