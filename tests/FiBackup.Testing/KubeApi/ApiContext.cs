using FiBackup.Testing.KubeApi.Auth;
using FiBackup.Testing.KubeApi.Controllers;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi;

/// <summary>What every part of the server shares: the objects, the served resources, the clock, access control and the controllers.</summary>
public sealed class ApiContext(ObjectStore store, ResourceCatalog catalog, KubeApiServerOptions options, RbacAuthorizer rbac, ServiceAccountTokens tokens)
{
    public ObjectStore Store => store;
    public ResourceCatalog Catalog => catalog;
    public KubeApiServerOptions Options => options;
    public TimeProvider Time => options.Time;
    public DateTimeOffset Now => options.Time.GetUtcNow();

    /// <summary>Decides every request not made by system:masters, from the stored roles and bindings.</summary>
    public RbacAuthorizer Rbac => rbac;

    /// <summary>Issues and checks service account tokens.</summary>
    public ServiceAccountTokens Tokens => tokens;

    /// <summary>Wakes the background controllers (garbage collector, namespace and CRD cleanup).</summary>
    public ControllerSignal Controllers { get; } = new();

    public ResourceType NamespaceType => catalog.Find("", "v1", "namespaces")!;
    public ResourceType CrdType => catalog.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
}
