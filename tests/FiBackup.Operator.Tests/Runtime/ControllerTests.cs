using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Runtime;

public sealed class ControllerTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private KubeApiServer _api = null!;
    private Kubernetes _kubernetes = null!;
    private ResourceClient<Widget> _widgets = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync();
        await _api.CreateFromYamlAsync(Widget.CrdYaml);
        _kubernetes = _api.CreateClient();
        _widgets = new ResourceClient<Widget>(_kubernetes, Widget.ResourceKind, "default");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
        _kubernetes.Dispose();
        await _api.DisposeAsync();
    }

    private Informer<TObject> Inform<TObject>(ResourceClient<TObject> client) where TObject : class, IKubernetesObject<V1ObjectMeta>
    {
        var informer = new Informer<TObject>(client, new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(20) });
        _running.Add(informer.RunAsync(_stop.Token));
        return informer;
    }

    private void Run(Controller controller) => _running.Add(controller.RunAsync(_stop.Token));

    /// <summary>Marks each widget Ready through its status, reading it from the API server each time.</summary>
    private sealed class MarkReady(ResourceClient<Widget> widgets) : IReconciler
    {
        public readonly ConcurrentDictionary<ObjectKey, int> Calls = new();

        public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            Calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (await widgets.GetAsync(key, cancellationToken) is null) return ReconcileResult.Done;
            await widgets.PatchStatusAsync(key, new V1Patch("""{"status":{"phase":"Ready"}}""", V1Patch.PatchType.MergePatch), cancellationToken);
            return ReconcileResult.Done;
        }
    }

    private sealed class Scripted(Func<ObjectKey, int, ReconcileResult> script) : IReconciler
    {
        public readonly ConcurrentDictionary<ObjectKey, int> Calls = new();

        public Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken) =>
            Task.FromResult(script(key, Calls.AddOrUpdate(key, 1, (_, n) => n + 1)));
    }

    [Fact]
    public async Task Every_widget_is_reconciled_eventually_although_the_server_answers_500_and_409_at_first()
    {
        await _widgets.CreateAsync(Widget.New("one"));
        await _widgets.CreateAsync(Widget.New("two"));
        var reconciler = new MarkReady(_widgets);
        var failures = new ConcurrentBag<Exception>();
        var controller = new Controller("widgets", reconciler, new ControllerOptions { Workers = 2 }).For(Inform(_widgets));
        controller.ReconcileFailed += (_, e) => failures.Add(e);

        _api.Faults.FailNextRequests(3, 500, t => t.Resource == "widgets" && !t.IsWatch && t.Name is not null);
        _api.Faults.FailNextRequests(2, 409, t => t.Resource == "widgets" && t.Path.EndsWith("/status"));
        Run(controller);
        await _widgets.CreateAsync(Widget.New("three"));

        await Eventually.TrueAsync(() => _api.Faults.PendingFailures == 0, "every planned failure was served");
        foreach (var name in new[] { "one", "two", "three" })
            await Eventually.TrueAsync(() => _widgets.GetAsync(new ObjectKey("default", name)).Result?.Status?.Phase == "Ready", $"{name} is Ready");
        Assert.Equal(5, controller.ReconcileErrors);
        Assert.Equal(5, failures.Count);
    }

    [Fact]
    public async Task A_terminal_failure_is_not_retried()
    {
        await _widgets.CreateAsync(Widget.New("broken"));
        var time = new FakeTimeProvider();
        var reconciler = new Scripted((_, _) => throw new TerminalException("spec.size: \"huge\" is not a size; use small or large"));
        var controller = new Controller("widgets", reconciler, new ControllerOptions { Time = time }).For(Inform(_widgets));
        Run(controller);

        await Eventually.TrueAsync(() => controller.ReconcileErrors == 1, "the reconcile failed once");
        time.Advance(TimeSpan.FromHours(1));
        await Task.Delay(100);

        Assert.Equal(1, reconciler.Calls[new ObjectKey("default", "broken")]);
        Assert.Equal(0, controller.Queue!.Requeues(new ObjectKey("default", "broken")));
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_backoff_and_a_requeue_after_comes_back_on_time()
    {
        await _widgets.CreateAsync(Widget.New("w"));
        var key = new ObjectKey("default", "w");
        var time = new FakeTimeProvider();
        var reconciler = new Scripted((_, call) => call switch
        {
            1 => throw new InvalidOperationException("libvirt is not reachable yet"),
            2 => ReconcileResult.RequeueAfter(TimeSpan.FromMinutes(10)),
            _ => ReconcileResult.Done,
        });
        var controller = new Controller("widgets", reconciler, new ControllerOptions { Time = time }).For(Inform(_widgets));
        Run(controller);
        await Eventually.TrueAsync(() => reconciler.Calls.GetValueOrDefault(key) == 1 && controller.Queue?.Requeues(key) == 1, "the first attempt failed");

        time.Advance(TimeSpan.FromMilliseconds(5));
        await Eventually.TrueAsync(() => reconciler.Calls[key] == 2, "the retry ran after 5 ms");
        await Eventually.TrueAsync(() => controller.Queue!.Requeues(key) == 0, "success forgot the failures");
        time.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(100);
        Assert.Equal(2, reconciler.Calls[key]);
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => reconciler.Calls[key] == 3, "the requeue came after 10 minutes");
    }

    [Fact]
    public async Task A_change_to_an_owned_object_reconciles_its_owner()
    {
        var owner = await _widgets.CreateAsync(Widget.New("parent"));
        var configMaps = new ResourceClient<V1ConfigMap>(_kubernetes, ResourceKind<V1ConfigMap>.FromEntity(), "default");
        await configMaps.CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "child", NamespaceProperty = "default",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "test.fibackup.io/v1", Kind = "Widget", Name = "parent", Uid = owner.Metadata.Uid, Controller = true }],
            },
        });
        var reconciler = new Scripted((_, _) => ReconcileResult.Done);
        var controller = new Controller("widgets", reconciler).For(Inform(_widgets)).Owns(Inform(configMaps));
        Run(controller);
        var parent = new ObjectKey("default", "parent");
        await Eventually.TrueAsync(() => reconciler.Calls.GetValueOrDefault(parent) >= 1, "the parent was reconciled at start");
        var before = reconciler.Calls[parent];

        await configMaps.PatchAsync(new ObjectKey("default", "child"), new V1Patch("""{"data":{"x":"1"}}""", V1Patch.PatchType.MergePatch));

        await Eventually.TrueAsync(() => reconciler.Calls[parent] > before, "the child's change reconciled the parent");
        Assert.False(reconciler.Calls.ContainsKey(new ObjectKey("default", "child")));
    }

    [Fact]
    public async Task Losing_leadership_cancels_the_reconcile_in_flight_and_stops_the_workers()
    {
        await _widgets.CreateAsync(Widget.New("slow"));
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        var calls = 0;
        var reconciler = new Blocking(async token =>
        {
            Interlocked.Increment(ref calls);
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, token); }
            catch (OperationCanceledException) { cancelled.TrySetResult(); throw; }
        });
        var controller = new Controller("widgets", reconciler).For(Inform(_widgets));
        var elector = new LeaderElector(_kubernetes, new LeaderElectionOptions("default", "fibackup-operator", "only")
        {
            LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(1.5), RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        var leading = elector.RunAsync(controller.RunAsync, _stop.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        _api.Faults.FailNextRequests(1000, 500, t => t.Resource == "leases");

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await leading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(controller.Queue);
        await _widgets.CreateAsync(Widget.New("after-loss"));
        await Task.Delay(300);
        Assert.Equal(1, calls);
        _api.Faults.Reset();
    }

    private sealed class Blocking(Func<CancellationToken, Task> work) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            await work(cancellationToken);
            return ReconcileResult.Done;
        }
    }
}
