using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Semantics;

namespace FiBackup.Testing.KubeApi.Controllers;

/// <summary>
/// Owner-reference garbage collection (kube-controller-manager's garbagecollector): a dependent whose owners
/// are all gone (matched by uid) is deleted in the background; an owner deleted with Foreground waits for its
/// dependents; an owner deleted with Orphan first has its references removed from the dependents.
/// </summary>
public sealed class GarbageCollector(ApiContext api, ObjectWriter writer)
{
    /// <summary>One pass over every object; returns true if it changed anything. Caller holds the store's gate.</summary>
    public bool Sweep()
    {
        var everything = api.Catalog.OnePerStorage()
            .SelectMany(type => api.Store.List(type.Storage, null).Select(e => (Type: type, Object: type.ToServed(e.Object))))
            .ToList();
        var byUid = everything.Where(e => e.Object.Uid() is not null).ToDictionary(e => e.Object.Uid()!, e => e);
        var changed = false;

        foreach (var (type, obj) in everything)
        {
            var refs = (obj.Metadata()["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            if (refs.Count == 0) continue;
            var owners = refs.Select(r => byUid.TryGetValue(r.GetString("uid") ?? "", out var o) ? o.Object : null).ToList();

            var orphaning = owners.Where(o => o is not null && o.IsBeingDeleted() && o.Finalizers().Contains(GarbageCollectionFinalizers.Orphan))
                .Select(o => o!.Uid()).ToHashSet();
            if (orphaning.Count > 0)
            {
                var kept = refs.Where(r => !orphaning.Contains(r.GetString("uid"))).Select(r => (JsonNode?)r.DeepClone()).ToArray();
                var released = obj.Clone();
                if (kept.Length == 0) released.Metadata().Remove("ownerReferences");
                else released.Metadata()["ownerReferences"] = new JsonArray(kept);
                writer.Update(type, obj, released, null, dryRun: false);
                changed = true;
                continue;
            }
            if (obj.IsBeingDeleted()) continue;
            var allGone = owners.All(o => o is null);
            var foregroundOwner = owners.Any(o => o is not null && o.IsBeingDeleted() && o.Finalizers().Contains(GarbageCollectionFinalizers.ForegroundDeletion));
            if (allGone || foregroundOwner)
            {
                writer.Delete(type, obj, foregroundOwner ? PropagationPolicy.Foreground : PropagationPolicy.Background, dryRun: false);
                changed = true;
            }
        }

        // Owners waiting on their dependents: release them once no object references them any more.
        var stillReferenced = everything
            .SelectMany(e => (e.Object.Metadata()["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().Select(r => r.GetString("uid")))
            .ToHashSet();
        foreach (var (type, obj) in everything.Where(e => e.Object.IsBeingDeleted()))
        {
            var finalizers = obj.Finalizers();
            var waiting = finalizers.Where(f => f is GarbageCollectionFinalizers.Orphan or GarbageCollectionFinalizers.ForegroundDeletion).ToList();
            if (waiting.Count == 0 || stillReferenced.Contains(obj.Uid())) continue;
            if (api.Store.Get(type.Storage, obj.Namespace(), obj.Name()!) is not { } fresh) continue;
            var current = type.ToServed(fresh);
            var released = current.Clone();
            released.SetFinalizers(current.Finalizers().Except(waiting).ToList());
            writer.Update(type, current, released, null, dryRun: false);
            changed = true;
        }
        return changed;
    }
}
