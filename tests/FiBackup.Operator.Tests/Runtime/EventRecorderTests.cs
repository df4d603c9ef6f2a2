using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FiBackup.Operator.Tests.Runtime;

public sealed class EventRecorderTests : IAsyncLifetime
{
    private KubeApiServer _api = null!;
    private Kubernetes _kubernetes = null!;
    private V1ConfigMap _subject = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync();
        _kubernetes = _api.CreateClient();
        var configMaps = new ResourceClient<V1ConfigMap>(_kubernetes, ResourceKind<V1ConfigMap>.FromEntity());
        _subject = await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default" } });
    }

    public async Task DisposeAsync()
    {
        _kubernetes.Dispose();
        await _api.DisposeAsync();
    }

    private async Task<JsonArray> KubectlEventsAsync()
    {
        var result = (await _api.Kubectl.RunAsync("get", "events", "-n", "default", "-o", "json")).EnsureSuccess();
        return JsonNode.Parse(result.StdOut)!["items"]!.AsArray();
    }

    [Fact]
    public async Task The_same_warning_twice_shows_as_one_event_with_count_2()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(_kubernetes, time: time);

        await recorder.WarningAsync(_subject, "BackupFailed", "domain web-1: libvirt is not reachable");
        time.Advance(TimeSpan.FromMinutes(1));
        await recorder.WarningAsync(_subject, "BackupFailed", "domain web-1: libvirt is not reachable");

        var onlyEvent = Assert.Single(await KubectlEventsAsync())!;
        Assert.Equal(2, (int)onlyEvent["count"]!);
        Assert.Equal("Warning", (string)onlyEvent["type"]!);
        Assert.Equal("fibackup-operator", (string)onlyEvent["source"]!["component"]!);
        Assert.Equal(_subject.Metadata.Uid, (string)onlyEvent["involvedObject"]!["uid"]!);
        Assert.Equal("ConfigMap", (string)onlyEvent["involvedObject"]!["kind"]!);
        Assert.Equal("2026-11-30T02:00:00Z", (string)onlyEvent["firstTimestamp"]!);
        Assert.Equal("2026-11-30T02:01:00Z", (string)onlyEvent["lastTimestamp"]!);
    }

    [Fact]
    public async Task A_different_message_or_a_repeat_after_the_window_makes_a_new_event()
    {
        var time = new FakeTimeProvider();
        var recorder = new EventRecorder(_kubernetes, time: time);

        await recorder.NormalAsync(_subject, "BackupStarted", "full backup of web-1");
        await recorder.NormalAsync(_subject, "BackupStarted", "incremental backup of web-1");
        time.Advance(recorder.Window);
        await recorder.NormalAsync(_subject, "BackupStarted", "full backup of web-1");

        var events = await KubectlEventsAsync();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(1, (int)e!["count"]!));
    }

    [Fact]
    public async Task A_failing_api_server_does_not_make_recording_throw()
    {
        var recorder = new EventRecorder(_kubernetes);
        _api.Faults.FailNextRequests(5, 500);

        await recorder.WarningAsync(_subject, "BackupFailed", "first");
        await recorder.WarningAsync(_subject, "BackupFailed", "second");

        _api.Faults.Reset();
        Assert.Empty(await KubectlEventsAsync());
    }

    [Fact]
    public async Task Closing_drops_what_is_still_queued_after_the_grace_without_a_warning_and_records_nothing_more()
    {
        var logs = new ListLogger();
        var recorder = new EventRecorder(_kubernetes, logger: logs);
        _api.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var queued = Enumerable.Range(0, 10).Select(i => recorder.NormalAsync(_subject, "BackupStarted", $"backup {i}")).ToList();

        var dropped = await recorder.CloseAsync(TimeSpan.FromMilliseconds(500));
        await Task.WhenAll(queued);
        _api.Faults.Reset();
        await recorder.NormalAsync(_subject, "BackupStarted", "after close");

        var written = (await KubectlEventsAsync()).Count;
        Assert.InRange(dropped, 1, 10);
        Assert.True(written + dropped <= 10, $"{written} written, {dropped} dropped of 10");
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains($"Information Stopping: {dropped} Events not yet written were dropped", logs.Lines);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add($"{logLevel} {formatter(state, exception)}");
        }
    }
}
