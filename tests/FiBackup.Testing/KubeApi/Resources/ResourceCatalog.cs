namespace FiBackup.Testing.KubeApi.Resources;

/// <summary>
/// Every resource the server serves right now: the built-in kinds plus those of established CRDs.
/// Discovery and OpenAPI read it; <see cref="Generation"/> changes whenever a CRD adds or removes resources,
/// which is what makes the OpenAPI hash and aggregated discovery change for clients.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Lock _gate = new();
    private readonly List<ResourceType> _builtIn;
    private readonly Dictionary<string, IReadOnlyList<ResourceType>> _byCrd = new(StringComparer.Ordinal);
    private IReadOnlyList<ResourceType> _all;

    public ResourceCatalog(IEnumerable<ResourceType> builtIn)
    {
        _builtIn = builtIn.ToList();
        _all = _builtIn;
    }

    public long Generation { get; private set; }

    public IReadOnlyList<ResourceType> All { get { lock (_gate) return _all; } }

    public ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    public ResourceType? FindKind(string group, string version, string kind) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Kind == kind);

    /// <summary>The served types whose objects live in one storage resource (one per served version).</summary>
    public IReadOnlyList<ResourceType> SharingStorage(GroupResource storage) =>
        All.Where(r => r.Storage == storage).ToList();

    /// <summary>One type per storage resource, for sweeps over every stored object (GC, namespace cleanup).</summary>
    public IReadOnlyList<ResourceType> OnePerStorage() =>
        All.GroupBy(r => r.Storage).Select(g => g.First()).ToList();

    public bool IsServedGroupVersion(string group, string version) =>
        All.Any(r => r.Group == group && r.Version == version);

    /// <summary>Group names in discovery order: built-in groups first, then custom groups by name.</summary>
    public IReadOnlyList<string> Groups()
    {
        var all = All;
        var builtIn = _builtIn.Select(r => r.Group).Where(g => g.Length > 0).Distinct();
        var custom = all.Where(r => r.IsCustom).Select(r => r.Group).Distinct().Except(builtIn).Order(StringComparer.Ordinal);
        return builtIn.Concat(custom).Where(g => all.Any(r => r.Group == g)).ToList();
    }

    /// <summary>Versions of a group, preferred first.</summary>
    public IReadOnlyList<string> Versions(string group) =>
        All.Where(r => r.Group == group).Select(r => r.Version).Distinct().Order(VersionPriority.Instance).ToList();

    public IReadOnlyList<GroupVersion> GroupVersions() =>
        new[] { "" }.Concat(Groups()).SelectMany(g => Versions(g).Select(v => new GroupVersion(g, v))).ToList();

    public IReadOnlyList<ResourceType> InGroupVersion(string group, string version) =>
        All.Where(r => r.Group == group && r.Version == version).ToList();

    /// <summary>Installs (or replaces) the resources a CRD defines.</summary>
    public void SetCustom(string crdName, IReadOnlyList<ResourceType> types)
    {
        lock (_gate)
        {
            _byCrd[crdName] = types;
            Rebuild();
        }
    }

    public void RemoveCustom(string crdName)
    {
        lock (_gate)
        {
            if (_byCrd.Remove(crdName)) Rebuild();
        }
    }

    private void Rebuild()
    {
        _all = _builtIn.Concat(_byCrd.Values.SelectMany(t => t)).ToList();
        Generation++;
    }
}
