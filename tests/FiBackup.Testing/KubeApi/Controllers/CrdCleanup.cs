using FiBackup.Testing.KubeApi.Crds;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Controllers;

/// <summary>
/// The apiextensions finalizer controller: a deleted CRD first deletes every custom resource it defines, then
/// drops its cleanup finalizer, which removes the CRD and stops serving its resources.
/// </summary>
public sealed class CrdCleanup(ApiContext api, ObjectWriter writer)
{
    public bool Sweep()
    {
        var crdType = api.CrdType;
        var changed = false;
        foreach (var stored in api.Store.BeingDeleted(crdType.Storage))
        {
            var crd = crdType.ToServed(stored);
            if (!crd.Finalizers().Contains(CrdRules.CleanupFinalizer)) continue;
            var remaining = 0;
            foreach (var type in CustomResourceTypes.From(crd).Take(1))
            {
                foreach (var (_, item) in api.Store.List(type.Storage, null).ToList())
                {
                    remaining++;
                    var served = type.ToServed(item);
                    if (served.IsBeingDeleted()) continue;
                    writer.Delete(type, served, PropagationPolicy.Background, dryRun: false);
                    changed = true;
                }
            }
            if (remaining > 0) continue;
            var released = crd.Clone();
            released.SetFinalizers(crd.Finalizers().Where(f => f != CrdRules.CleanupFinalizer).ToList());
            writer.Update(crdType, crd, released, null, dryRun: false);
            changed = true;
        }
        return changed;
    }
}
