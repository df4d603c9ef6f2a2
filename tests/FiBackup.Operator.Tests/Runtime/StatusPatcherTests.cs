namespace FiBackup.Operator.Tests.Runtime;

public sealed class StatusPatcherTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
    private readonly RequestCounter _requests = new();
    private KubeApiServer _api = null!;
    private Kubernetes _kubernetes = null!;
    private ResourceClient<Widget> _widgets = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync(new KubeApiServerOptions { RequestLog = _requests.Record });
        await _api.CreateFromYamlAsync(Widget.CrdYaml);
        _kubernetes = _api.CreateClient();
        _widgets = new ResourceClient<Widget>(_kubernetes, Widget.ResourceKind);
    }

    public async Task DisposeAsync()
    {
        _kubernetes.Dispose();
        await _api.DisposeAsync();
    }

    private int StatusPatches() => _requests.Count(l => l.StartsWith("PATCH ") && l.Contains("/widgets/w/status"));

    private async Task<Widget> NotReadyWidgetAsync()
    {
        await _widgets.CreateAsync(Widget.New("w"));
        var conditions = new List<V1Condition>();
        conditions.Set("Ready", Conditions.False, "InvalidSpec", "spec.size: unknown", 1, Monday);
        await _widgets.PatchStatusAsync(new ObjectKey("default", "w"), new V1Patch(
            KubernetesJson.Serialize(new { status = new WidgetStatus { Phase = "Pending", Conditions = conditions } }), V1Patch.PatchType.MergePatch));
        return (await _widgets.GetAsync("default", "w"))!;
    }

    [Fact]
    public async Task A_reconcile_sends_one_status_patch_that_keeps_the_last_transition_time()
    {
        var widget = await NotReadyWidgetAsync();
        var patcher = new StatusPatcher<Widget>(_widgets);
        var before = StatusPatches();

        await using (var patch = patcher.Begin(widget))
        {
            patch.Object.Status!.Phase = "Failed";
            patch.Object.Status.ObservedGeneration = 1;
            patch.Object.Status.Conditions!.Set("Ready", Conditions.False, "InvalidSize", "spec.size: \"huge\" is not small or large", 1, Monday.AddHours(1));
            patch.Object.Spec.Size = "tampered"; // never written: only status goes to /status
        }

        await Eventually.TrueAsync(() => StatusPatches() - before == 1, "one status patch was logged");
        var written = (await _widgets.GetAsync("default", "w"))!;
        var ready = written.Status!.Conditions.Get("Ready")!;
        Assert.Equal("Failed", written.Status.Phase);
        Assert.Equal("InvalidSize", ready.Reason);
        Assert.Equal(Monday.UtcDateTime, ready.LastTransitionTime);
        Assert.Equal("small", written.Spec.Size);
        await Task.Delay(200);
        Assert.Equal(1, StatusPatches() - before);
    }

    [Fact]
    public async Task An_unchanged_status_sends_nothing()
    {
        var widget = await NotReadyWidgetAsync();
        var patcher = new StatusPatcher<Widget>(_widgets);
        var before = _requests.Lines.Count;

        StatusPatch<Widget> patch;
        await using (patch = patcher.Begin(widget))
            patch.Object.Status!.Conditions!.Set("Ready", Conditions.False, "InvalidSpec", "spec.size: unknown", 1, Monday.AddHours(2));

        Assert.False(patch.Sent);
        await Task.Delay(200);
        Assert.Equal(before, _requests.Lines.Count);
    }

    [Fact]
    public async Task A_server_error_or_throttling_is_retried()
    {
        var widget = await NotReadyWidgetAsync();
        var patcher = new StatusPatcher<Widget>(_widgets);
        _api.Faults.FailNextRequests(1, 500, t => t.Path.EndsWith("/status"));
        _api.Faults.FailNextRequests(1, 429, t => t.Path.EndsWith("/status"));

        var after = KubernetesJson.Deserialize<Widget>(KubernetesJson.Serialize(widget));
        after.Status!.Phase = "Ready";
        Assert.True(await patcher.PatchAsync(widget, after));

        var written = (await _widgets.GetAsync("default", "w"))!;
        Assert.Equal("Ready", written.Status!.Phase);
        Assert.Equal(written.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_status_computed_from_a_stale_copy_is_refused_and_the_newer_status_kept()
    {
        var stale = await NotReadyWidgetAsync();
        // Someone (our own earlier reconcile, whose watch event has not arrived) wrote after the read.
        var newer = KubernetesJson.Deserialize<Widget>(KubernetesJson.Serialize(stale));
        newer.Status!.Phase = "Succeeded";
        Assert.True(await new StatusPatcher<Widget>(_widgets).PatchAsync(stale, newer));

        var fromStale = KubernetesJson.Deserialize<Widget>(KubernetesJson.Serialize(stale));
        fromStale.Status!.Conditions!.Set("Ready", Conditions.False, "Pending", "waiting", 1, Monday.AddHours(3));
        var refused = await Assert.ThrowsAsync<StaleObjectException>(() => new StatusPatcher<Widget>(_widgets).PatchAsync(stale, fromStale));

        Assert.Contains("changed since it was read", refused.Message);
        var kept = (await _widgets.GetAsync("default", "w"))!;
        Assert.Equal("Succeeded", kept.Status!.Phase);
        Assert.Equal("InvalidSpec", kept.Status.Conditions.Get("Ready")!.Reason);
    }

    [Fact]
    public async Task Finalizers_are_added_and_removed_only_on_the_object_as_read()
    {
        var widget = await _widgets.CreateAsync(Widget.New("w"));

        var guarded = await _widgets.AddFinalizerAsync(widget, "fibackup.io/restore-point");
        Assert.True(guarded.HasFinalizer("fibackup.io/restore-point"));
        // The original copy is stale now: a write based on it must fail instead of clobbering.
        await Assert.ThrowsAnyAsync<k8s.Autorest.HttpOperationException>(() => _widgets.RemoveFinalizerAsync(
            KubernetesJson.Deserialize<Widget>(KubernetesJson.Serialize(guarded)).Also(w => w.Metadata.ResourceVersion = widget.Metadata.ResourceVersion),
            "fibackup.io/restore-point"));

        var released = await _widgets.RemoveFinalizerAsync(guarded, "fibackup.io/restore-point");
        Assert.False(released.HasFinalizer("fibackup.io/restore-point"));
        Assert.Equal("small", released.Spec.Size);
    }
}

internal static class TestExtensions
{
    public static T Also<T>(this T value, Action<T> change)
    {
        change(value);
        return value;
    }
}
