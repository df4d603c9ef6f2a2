using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Storage;

namespace FiBackup.Testing.KubeApi.Controllers;

/// <summary>
/// Owner-reference garbage collection (kube-controller-manager's garbagecollector): a dependent whose owners
/// are all gone (matched by uid) is deleted in the background; an owner deleted with Foreground waits for its
/// dependents; an owner deleted with Orphan first has its references removed from the dependents.
/// Like upstream's, it follows the changes (the store's history since its last pass) and looks owners and
/// dependents up in <see cref="OwnerIndex"/>; it goes over every object only when it has lost track (its
/// revision fell out of the history window, or a CRD's objects were dropped whole), as an informer relists.
/// </summary>
public sealed class GarbageCollector(ApiContext api, ObjectWriter writer)
{
    private long _seen;
    private long _seenDrops;

    /// <summary>Owners being deleted whose orphan/foregroundDeletion finalizer waits on their dependents.</summary>
    private readonly HashSet<StoredObjectRef> _waiting = [];

    /// <summary>One pass over what changed since the last one; returns true if it changed anything. Caller holds the store's gate.</summary>
    public bool Sweep()
    {
        var store = api.Store;
        var candidates = new HashSet<StoredObjectRef>();
        if (store.History.CanResumeFrom(_seen) && store.Drops == _seenDrops)
            foreach (var change in store.History.Since(_seen)) Note(change, candidates);
        else
            foreach (var type in api.Catalog.OnePerStorage())
                foreach (var (_, obj) in store.List(type.Storage, null))
                    Note(new StoredEvent(StoredEvent.Added, type.Storage, obj, null, store.Revision), candidates);
        _seen = store.Revision;
        _seenDrops = store.Drops;

        var changed = false;
        foreach (var dependent in candidates) changed |= Collect(dependent);
        foreach (var owner in _waiting.ToList()) changed |= Release(owner);
        return changed;
    }

    /// <summary>Which objects a change may concern: the object itself if it has owners, and its dependents if it went or is going.</summary>
    private void Note(StoredEvent change, HashSet<StoredObjectRef> candidates)
    {
        var obj = change.Object;
        var at = new StoredObjectRef(change.Resource, obj.Namespace(), obj.Name()!);
        if (change.Type != StoredEvent.Deleted)
        {
            if (obj.Metadata()["ownerReferences"] is JsonArray { Count: > 0 }) candidates.Add(at);
            if (!obj.IsBeingDeleted()) return;
            if (obj.Finalizers().Any(IsWaitingFinalizer)) _waiting.Add(at);
        }
        if (obj.Uid() is { } uid) candidates.UnionWith(api.Store.Owners.DependentsOf(uid));
    }

    /// <summary>Deletes a dependent whose owners are all gone (or one is deleting in the foreground), or drops references to orphaning owners.</summary>
    private bool Collect(StoredObjectRef at)
    {
        if (Load(at) is not var (type, obj)) return false;
        var refs = (obj.Metadata()["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (refs.Count == 0) return false;
        var owners = refs.Select(r => api.Store.Owners.Find(r.GetString("uid") ?? "") is { } o ? Load(o)?.Object : null).ToList();

        var orphaning = owners.Where(o => o is not null && o.IsBeingDeleted() && o.Finalizers().Contains(GarbageCollectionFinalizers.Orphan))
            .Select(o => o!.Uid()).ToHashSet();
        if (orphaning.Count > 0)
        {
            var kept = refs.Where(r => !orphaning.Contains(r.GetString("uid"))).Select(r => (JsonNode?)r.DeepClone()).ToArray();
            var released = obj.Clone();
            if (kept.Length == 0) released.Metadata().Remove("ownerReferences");
            else released.Metadata()["ownerReferences"] = new JsonArray(kept);
            writer.Update(type, obj, released, null, dryRun: false);
            return true;
        }
        if (obj.IsBeingDeleted()) return false;
        var allGone = owners.All(o => o is null);
        var foregroundOwner = owners.Any(o => o is not null && o.IsBeingDeleted() && o.Finalizers().Contains(GarbageCollectionFinalizers.ForegroundDeletion));
        if (!allGone && !foregroundOwner) return false;
        writer.Delete(type, obj, foregroundOwner ? PropagationPolicy.Foreground : PropagationPolicy.Background, dryRun: false);
        return true;
    }

    /// <summary>An owner waiting on its dependents loses its orphan/foregroundDeletion finalizer once no object references it.</summary>
    private bool Release(StoredObjectRef at)
    {
        if (Load(at) is not var (type, current) || !current.IsBeingDeleted())
        {
            _waiting.Remove(at);
            return false;
        }
        var finalizers = current.Finalizers();
        var waiting = finalizers.Where(IsWaitingFinalizer).ToList();
        if (waiting.Count == 0)
        {
            _waiting.Remove(at);
            return false;
        }
        if (current.Uid() is { } uid && api.Store.Owners.DependentsOf(uid).Count > 0) return false;
        var released = current.Clone();
        released.SetFinalizers(finalizers.Except(waiting).ToList());
        writer.Update(type, current, released, null, dryRun: false);
        _waiting.Remove(at);
        return true;
    }

    private (ResourceType Type, JsonObject Object)? Load(StoredObjectRef at)
    {
        var type = api.Catalog.OnePerStorage().FirstOrDefault(t => t.Storage == at.Resource);
        return type is not null && api.Store.Get(at.Resource, at.Namespace, at.Name) is { } stored ? (type, type.ToServed(stored)) : null;
    }

    private static bool IsWaitingFinalizer(string finalizer) =>
        finalizer is GarbageCollectionFinalizers.Orphan or GarbageCollectionFinalizers.ForegroundDeletion;
}
