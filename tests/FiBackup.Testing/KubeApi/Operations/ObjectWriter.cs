using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Crds;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Semantics;
using FiBackup.Testing.KubeApi.Validation;

namespace FiBackup.Testing.KubeApi.Operations;

/// <summary>
/// The generic registry store: the object rules every write goes through, whether it comes from a client
/// or from a controller here. Create stamps uid/creationTimestamp/generation; update keeps system metadata,
/// separates spec from status, bumps generation, refuses new finalizers on a deleting object and finishes a
/// deletion when the last finalizer goes; delete honours finalizers and the propagation policy.
/// Callers hold the store's gate. Objects in and out are in the served shape of <c>type</c>.
/// </summary>
public sealed class ObjectWriter(ApiContext api)
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public JsonObject Create(ResourceType type, JsonObject obj, bool dryRun)
    {
        var meta = obj.Metadata();
        if (type.Namespaced) EnsureNamespaceAcceptsCreate(type, obj.Namespace() ?? "", obj.Name() ?? meta.GetString("generateName") ?? "");
        if (string.IsNullOrEmpty(obj.Name()) && meta.GetString("generateName") is { Length: > 0 } prefix)
            meta["name"] = GenerateName(type, obj.Namespace(), prefix);

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = JsonNodes.Timestamp(api.Now);
        foreach (var field in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
            meta.Remove(field);
        if (type.TracksGeneration) meta["generation"] = 1;
        else meta.Remove("generation");
        if (type.HasStatus && type.IsCustom) obj.Remove("status");
        type.Rules.PrepareForCreate(obj);

        Validate(type, obj);
        if (api.Store.Get(type.Storage, obj.Namespace(), obj.Name()!) is not null)
            throw ApiErrors.AlreadyExists(type.GroupResource, obj.Name()!);
        if (dryRun) return obj;

        var stored = api.Store.Add(type.Storage, type.ToStored(obj));
        AfterWrite(type, stored, removed: false);
        return type.ToServed(stored);
    }

    /// <summary>Writes <paramref name="candidate"/> over <paramref name="old"/>; an unchanged object is not written.</summary>
    public JsonObject Update(ResourceType type, JsonObject old, JsonObject candidate, string? subresource, bool dryRun)
    {
        JsonObject updated;
        if (subresource == "status")
        {
            // The status endpoint changes status and nothing else, metadata included.
            updated = old.Clone();
            if (candidate["status"] is { } status) updated["status"] = status.DeepClone();
            else updated.Remove("status");
        }
        else if (subresource == "finalize")
        {
            // Namespaces' /finalize changes spec.finalizers only.
            updated = old.Clone();
            updated["spec"] = candidate["spec"]?.DeepClone();
        }
        else
        {
            updated = candidate.Clone();
            var meta = updated.Metadata();
            var oldMeta = old.Metadata();
            foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name" })
            {
                if (oldMeta[field] is { } value) meta[field] = value.DeepClone();
                else meta.Remove(field);
            }
            if (meta["managedFields"] is null && oldMeta["managedFields"] is { } managed) meta["managedFields"] = managed.DeepClone();
            meta.Remove("selfLink");
            if (type.HasStatus)
            {
                if (old["status"] is { } oldStatus) updated["status"] = oldStatus.DeepClone();
                else updated.Remove("status");
            }
            type.Rules.PrepareForUpdate(updated, old);
        }
        updated.Metadata()["resourceVersion"] = old.Metadata()["resourceVersion"]?.DeepClone();

        if (old.IsBeingDeleted())
        {
            var added = updated.Finalizers().Except(old.Finalizers()).ToList();
            if (added.Count > 0)
                throw ApiErrors.Invalid(type.GroupKind, old.Name()!, [FieldError.Forbidden("metadata.finalizers",
                    $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(GoFormat.Quote))}}}")]);
        }
        if (type.TracksGeneration && SpecChanged(type, old, updated))
            updated.Metadata()["generation"] = (old.Metadata().GetInt64("generation") ?? 0) + 1;

        Validate(type, updated);
        if (JsonNode.DeepEquals(updated, old)) return old;
        if (dryRun) return updated;

        if (updated.IsBeingDeleted() && updated.Finalizers().Count == 0 && !HoldsNamespaceFinalizer(type, updated))
        {
            var final = api.Store.Remove(type.Storage, type.ToStored(updated));
            AfterWrite(type, final, removed: true);
            return type.ToServed(final);
        }
        var stored = api.Store.Replace(type.Storage, type.ToStored(updated), type.ToStored(old));
        AfterWrite(type, stored, removed: false);
        return type.ToServed(stored);
    }

    /// <summary>
    /// Deletes now, or (with finalizers, including the ones a Foreground/Orphan policy adds) marks the object
    /// with deletionTimestamp and leaves it until the last finalizer is removed.
    /// </summary>
    public (bool Removed, JsonObject Object) Delete(ResourceType type, JsonObject current, PropagationPolicy policy, bool dryRun)
    {
        if (current.IsBeingDeleted()) return (false, current);

        var finalizers = current.Finalizers();
        if (policy == PropagationPolicy.Orphan && !finalizers.Contains(GarbageCollectionFinalizers.Orphan))
            finalizers.Add(GarbageCollectionFinalizers.Orphan);
        if (policy == PropagationPolicy.Foreground && !finalizers.Contains(GarbageCollectionFinalizers.ForegroundDeletion))
            finalizers.Add(GarbageCollectionFinalizers.ForegroundDeletion);

        if (finalizers.Count == 0 && !HoldsNamespaceFinalizer(type, current))
        {
            if (dryRun) return (true, current);
            var final = api.Store.Remove(type.Storage, type.ToStored(current));
            AfterWrite(type, final, removed: true);
            return (true, type.ToServed(final));
        }

        var marked = current.Clone();
        marked.SetFinalizers(finalizers);
        var meta = marked.Metadata();
        meta["deletionTimestamp"] = JsonNodes.Timestamp(api.Now);
        meta["deletionGracePeriodSeconds"] = 0;
        if (type.TracksGeneration) meta["generation"] = (meta.GetInt64("generation") ?? 0) + 1;
        if (type.Kind == "Namespace" && type.Group.Length == 0)
            marked["status"] = new JsonObject { ["phase"] = "Terminating" };
        if (dryRun) return (false, marked);
        var stored = api.Store.Replace(type.Storage, type.ToStored(marked), type.ToStored(current));
        AfterWrite(type, stored, removed: false);
        return (false, type.ToServed(stored));
    }

    private static bool HoldsNamespaceFinalizer(ResourceType type, JsonObject obj) =>
        type.Kind == "Namespace" && type.Group.Length == 0 && obj["spec"]?["finalizers"] is JsonArray { Count: > 0 };

    private static bool SpecChanged(ResourceType type, JsonObject old, JsonObject updated)
    {
        static JsonObject WithoutBookkeeping(JsonObject o, bool dropStatus)
        {
            var copy = o.Clone();
            copy.Remove("metadata");
            if (dropStatus) copy.Remove("status");
            return copy;
        }
        return !JsonNode.DeepEquals(WithoutBookkeeping(old, type.HasStatus), WithoutBookkeeping(updated, type.HasStatus));
    }

    private void Validate(ResourceType type, JsonObject obj)
    {
        var errors = ObjectMetaValidator.Validate(obj, type.Rules.NameIsDnsLabel, type.Rules.NameIsPathSegment);
        if (type.Schema is { } schema) errors.AddRange(SchemaValidator.ValidateResource(obj, schema));
        errors.AddRange(type.Rules.Validate(obj));
        if (errors.Count > 0) throw ApiErrors.Invalid(type.GroupKind, obj.Name() ?? "", errors);
    }

    /// <summary>NamespaceLifecycle admission: no objects in a missing or terminating namespace.</summary>
    private void EnsureNamespaceAcceptsCreate(ResourceType type, string ns, string name)
    {
        var nsType = api.NamespaceType;
        var namespaceObject = api.Store.Get(nsType.Storage, null, ns);
        if (namespaceObject is null) throw ApiErrors.NotFound(nsType.GroupResource, ns);
        if (namespaceObject.IsBeingDeleted())
            throw ApiErrors.Forbidden(type.GroupResource, name,
                $"unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" });
    }

    private string GenerateName(ResourceType type, string? ns, string prefix)
    {
        if (prefix.Length > 58) prefix = prefix[..58];
        for (var attempt = 0; ; attempt++)
        {
            var suffix = new string(Enumerable.Range(0, 5).Select(_ => GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)]).ToArray());
            var name = prefix + suffix;
            if (api.Store.Get(type.Storage, ns, name) is null || attempt > 20) return name;
        }
    }

    /// <summary>Keeps the catalog in step with CRDs, RBAC decisions with roles and bindings, and wakes the controllers after every write.</summary>
    private void AfterWrite(ResourceType type, JsonObject stored, bool removed)
    {
        if (type.Storage.Group == Auth.RbacPolicy.Group) api.Rbac.Invalidate();
        if (type.Storage == api.CrdType.Storage)
        {
            var name = stored.Name()!;
            if (removed)
            {
                api.Catalog.RemoveCustom(name);
                foreach (var t in CustomResourceTypes.From(stored)) api.Store.DropResource(t.Storage);
            }
            else api.Catalog.SetCustom(name, CustomResourceTypes.From(stored));
        }
        api.Controllers.Raise();
    }
}

public static class GarbageCollectionFinalizers
{
    public const string Orphan = "orphan";
    public const string ForegroundDeletion = "foregroundDeletion";
}
