using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Controllers;

/// <summary>
/// The namespace controller: a Terminating namespace has all its contents deleted (their finalizers are
/// honoured), then loses its "kubernetes" finalizer and goes away.
/// </summary>
public sealed class NamespaceCleanup(ApiContext api, ObjectWriter writer)
{
    public bool Sweep()
    {
        var nsType = api.NamespaceType;
        var changed = false;
        foreach (var stored in api.Store.BeingDeleted(nsType.Storage))
        {
            var ns = nsType.ToServed(stored);
            var name = ns.Name()!;
            var remaining = 0;
            foreach (var type in api.Catalog.OnePerStorage().Where(t => t.Namespaced))
            {
                foreach (var (_, item) in api.Store.List(type.Storage, name).ToList())
                {
                    remaining++;
                    var served = type.ToServed(item);
                    if (served.IsBeingDeleted()) continue;
                    writer.Delete(type, served, PropagationPolicy.Background, dryRun: false);
                    changed = true;
                }
            }
            if (remaining > 0) continue;
            var finalized = ns.Clone();
            finalized["spec"] = new JsonObject { ["finalizers"] = new JsonArray() };
            writer.Update(nsType, ns, finalized, "finalize", dryRun: false);
            changed = true;
        }
        return changed;
    }
}
