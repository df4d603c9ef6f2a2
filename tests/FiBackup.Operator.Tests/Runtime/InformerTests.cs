namespace FiBackup.Operator.Tests.Runtime;

public sealed class InformerTests : IAsyncLifetime
{
    private readonly RequestCounter _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private KubeApiServer _api = null!;
    private Kubernetes _kubernetes = null!;
    private ResourceClient<V1ConfigMap> _client = null!;
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync(new KubeApiServerOptions { RequestLog = _requests.Record });
        _kubernetes = _api.CreateClient();
        _client = new ResourceClient<V1ConfigMap>(_kubernetes, ResourceKind<V1ConfigMap>.FromEntity(), "default");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _kubernetes.Dispose();
        await _api.DisposeAsync();
    }

    private async Task<Informer<V1ConfigMap>> StartAsync(InformerOptions? options = null)
    {
        var informer = new Informer<V1ConfigMap>(_client, options ?? new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(20) });
        _running = informer.RunAsync(_stop.Token);
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return informer;
    }

    private Task CreateAsync(string name, string value = "1") => _client.CreateAsync(new V1ConfigMap
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Data = new Dictionary<string, string> { ["v"] = value },
    });

    private Task UpdateAsync(string name, string value) => _client.PatchAsync(new ObjectKey("default", name),
        new V1Patch("{\"data\":{\"v\":\"" + value + "\"}}", V1Patch.PatchType.MergePatch));

    private static Func<bool> CacheHolds(Informer<V1ConfigMap> informer, params (string Name, string Value)[] expected) => () =>
        informer.List("default").Select(c => (c.Metadata.Name, c.Data["v"])).OrderBy(c => c.Name)
            .SequenceEqual(expected.OrderBy(e => e.Name));

    private int Lists() => _requests.Count(l =>
        l.StartsWith("GET /api/v1/namespaces/default/configmaps") && !l.Contains("configmaps/") && !l.Contains("watch=true"));

    [Fact]
    public async Task The_cache_follows_adds_updates_and_deletes_after_the_initial_list()
    {
        await CreateAsync("before");
        var informer = await StartAsync();
        var deleted = new List<string>();
        informer.AddHandler(new InformerHandler<V1ConfigMap>(Deleted: c => { lock (deleted) deleted.Add(c.Metadata.Name); }));

        await CreateAsync("after");
        await UpdateAsync("before", "2");
        await _client.DeleteAsync(new ObjectKey("default", "after"));

        await Eventually.TrueAsync(CacheHolds(informer, ("before", "2")), "the cache holds only the updated object");
        await Eventually.TrueAsync(() => { lock (deleted) return deleted.SequenceEqual(["after"]); }, "the delete was reported");
        Assert.Equal("2", informer.Get("default", "before")!.Data["v"]);
    }

    [Fact]
    public async Task Dropped_watches_are_resumed_from_the_last_resource_version_without_listing_again()
    {
        var informer = await StartAsync();

        for (var i = 0; i < 3; i++)
        {
            await Eventually.TrueAsync(() => _api.OpenWatches > 0, "the informer watches");
            _api.Faults.DropAllWatches();
            await CreateAsync($"c{i}");
        }

        await Eventually.TrueAsync(CacheHolds(informer, ("c0", "1"), ("c1", "1"), ("c2", "1")), "every object created across the drops is cached");
        Assert.Equal(1, Lists());
    }

    [Fact]
    public async Task An_expired_resource_version_relists_and_reports_objects_that_vanished_meanwhile()
    {
        await CreateAsync("stays");
        await CreateAsync("goes");
        var informer = await StartAsync();
        var deleted = new List<string>();
        informer.AddHandler(new InformerHandler<V1ConfigMap>(Deleted: c => { lock (deleted) deleted.Add(c.Metadata.Name); }));
        await Eventually.TrueAsync(() => _api.OpenWatches > 0, "the informer watches");

        // Let the delete happen while nobody watches, then make the informer's resourceVersion too old.
        _api.Faults.FailNextRequests(1000, 500, t => t.IsWatch);
        _api.Faults.DropAllWatches();
        await _client.DeleteAsync(new ObjectKey("default", "goes"));
        await UpdateAsync("stays", "2");
        _api.Faults.ExpireResourceVersions();
        _api.Faults.Reset();

        await Eventually.TrueAsync(CacheHolds(informer, ("stays", "2")), "the relisted cache is right");
        await Eventually.TrueAsync(() => { lock (deleted) return deleted.Contains("goes"); }, "a synthetic delete was reported");
        // The server logs a request after its response is sent, so the count can trail the cache.
        await Eventually.TrueAsync(() => Lists() >= 2, "the server saw a relist");
    }

    [Fact]
    public async Task Server_errors_during_list_and_watch_are_retried_until_the_cache_is_right()
    {
        await CreateAsync("first");
        _api.Faults.FailNextRequests(3, 500);
        var informer = await StartAsync();
        Assert.Equal("first", Assert.Single(informer.List()).Metadata.Name);

        _api.Faults.FailNextRequests(3, 500, t => t.IsWatch);
        _api.Faults.DropAllWatches();
        await CreateAsync("second");

        await Eventually.TrueAsync(CacheHolds(informer, ("first", "1"), ("second", "1")), "the cache caught up after the failures");
    }

    [Fact]
    public async Task The_watchdog_restarts_a_watch_that_goes_silent()
    {
        await _api.DisposeAsync();
        // No bookmarks and no changes: the watch stays open but says nothing.
        _api = await KubeApiServer.StartAsync(new KubeApiServerOptions { RequestLog = _requests.Record, BookmarkInterval = TimeSpan.FromHours(1) });
        _kubernetes.Dispose();
        _kubernetes = _api.CreateClient();
        _client = new ResourceClient<V1ConfigMap>(_kubernetes, ResourceKind<V1ConfigMap>.FromEntity(), "default");

        var informer = await StartAsync(new InformerOptions { WatchdogTimeout = TimeSpan.FromSeconds(1) });

        await Eventually.TrueAsync(() => informer.WatchdogRestarts >= 2, "the watchdog restarted the silent watch twice");
        await CreateAsync("later");
        await Eventually.TrueAsync(CacheHolds(informer, ("later", "1")), "the restarted watch still delivers");
        Assert.Equal(1, Lists());
    }

    [Fact]
    public async Task An_announced_write_is_awaited_until_the_cache_shows_it_and_no_longer_than_the_patience()
    {
        await CreateAsync("web-1");
        var informer = await StartAsync();
        var written = await _client.PatchAsync(new ObjectKey("default", "web-1"),
            new V1Patch("{\"data\":{\"v\":\"2\"}}", V1Patch.PatchType.MergePatch));

        informer.ExpectWrite(written);
        await Eventually.TrueAsync(() => informer.AwaitingOwnWrite(ObjectKey.Of(written)) is null, "the cache showed the write");
        Assert.Equal("2", informer.Get(ObjectKey.Of(written))!.Data["v"]);

        var neverSeen = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", ResourceVersion = "999999" } };
        informer.ExpectWrite(neverSeen);
        Assert.NotNull(informer.AwaitingOwnWrite(ObjectKey.Of(neverSeen)));
        await Eventually.TrueAsync(() => informer.AwaitingOwnWrite(ObjectKey.Of(neverSeen)) is null, "the patience ran out");
    }
}
