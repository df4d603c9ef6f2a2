using FiBackup.Testing.KubeApi.Controllers;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi;

/// <summary>What every part of the server shares: the objects, the served resources, the clock and the controllers.</summary>
public sealed class ApiContext(ObjectStore store, ResourceCatalog catalog, KubeApiServerOptions options)
{
    public ObjectStore Store => store;
    public ResourceCatalog Catalog => catalog;
    public KubeApiServerOptions Options => options;
    public TimeProvider Time => options.Time;
    public DateTimeOffset Now => options.Time.GetUtcNow();

    /// <summary>Wakes the background controllers (garbage collector, namespace and CRD cleanup).</summary>
    public ControllerSignal Controllers { get; } = new();

    public ResourceType NamespaceType => catalog.Find("", "v1", "namespaces")!;
    public ResourceType CrdType => catalog.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
}
