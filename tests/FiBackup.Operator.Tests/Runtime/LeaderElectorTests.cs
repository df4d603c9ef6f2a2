namespace FiBackup.Operator.Tests.Runtime;

public sealed class LeaderElectorTests : IAsyncLifetime
{
    private KubeApiServer _api = null!;
    private readonly List<Kubernetes> _clients = [];

    public async Task InitializeAsync() => _api = await KubeApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await _api.DisposeAsync();
    }

    // Short but in the same proportions as the defaults (15 s / 10 s / 2 s).
    private LeaderElector Elector(string identity, bool releaseOnCancel = true, double leaseSeconds = 2, double deadlineSeconds = 1.5)
    {
        var client = _api.CreateClient();
        _clients.Add(client);
        return new LeaderElector(client, new LeaderElectionOptions("default", "fibackup-operator", identity)
        {
            LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
            RenewDeadline = TimeSpan.FromSeconds(deadlineSeconds),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            ReleaseOnCancel = releaseOnCancel,
        });
    }

    /// <summary>One candidate process: records when it leads and whether its leading token was cancelled.</summary>
    private sealed class Candidate(LeaderElector elector, Action<int>? onLeadersChanged = null)
    {
        private static int s_leaders;
        public readonly CancellationTokenSource Process = new();
        public DateTime? LeadingSince;
        public CancellationToken LeadingToken;
        public Task Run = Task.CompletedTask;
        public LeaderElector Elector => elector;

        public Candidate Start()
        {
            Run = elector.RunAsync(async token =>
            {
                LeadingToken = token;
                LeadingSince = DateTime.UtcNow;
                var leaders = Interlocked.Increment(ref s_leaders);
                onLeadersChanged?.Invoke(leaders);
                try { await Task.Delay(Timeout.Infinite, token); }
                finally { Interlocked.Decrement(ref s_leaders); }
            }, Process.Token);
            return this;
        }
    }

    [Fact]
    public async Task Of_two_electors_on_one_lease_only_one_leads()
    {
        var most = 0;
        void Seen(int leaders) { lock (this) most = Math.Max(most, leaders); }
        var a = new Candidate(Elector("a"), Seen).Start();
        var b = new Candidate(Elector("b"), Seen).Start();

        await Eventually.TrueAsync(() => a.LeadingSince is not null || b.LeadingSince is not null, "someone leads");
        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than a lease: the other must still be waiting

        Assert.True(a.Elector.IsLeader ^ b.Elector.IsLeader);
        Assert.Equal(1, most);
        var lease = await _clients[0].CoordinationV1.ReadNamespacedLeaseAsync("fibackup-operator", "default");
        Assert.Equal(a.Elector.IsLeader ? "a" : "b", lease.Spec.HolderIdentity);
        await a.Process.CancelAsync();
        await b.Process.CancelAsync();
        await Task.WhenAll(a.Run, b.Run);
    }

    [Fact]
    public async Task When_the_leader_is_killed_the_other_leads_within_the_lease_duration_plus_two_retries()
    {
        var a = new Candidate(Elector("a", releaseOnCancel: false)).Start();
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        var b = new Candidate(Elector("b")).Start();

        var killed = DateTime.UtcNow;
        await a.Process.CancelAsync(); // as SIGKILL: the lease is left as it was
        await a.Run;

        await Eventually.TrueAsync(() => b.Elector.IsLeader, "b leads", TimeSpan.FromSeconds(10));
        // b counts the lease from when it saw a's last renewal (up to one retry period after the
        // kill), then notices the expiry at its next try (one more): lease + 2 retries, plus 1 s
        // for a loaded 2-core CI machine (CI once took 3.22 s, over the earlier bound of lease + 1 retry + 1 s).
        Assert.InRange(b.LeadingSince!.Value - killed, TimeSpan.Zero, TimeSpan.FromSeconds(2 + 2 * 0.2 + 1));
        var lease = await _clients[0].CoordinationV1.ReadNamespacedLeaseAsync("fibackup-operator", "default");
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        await b.Process.CancelAsync();
        await b.Run;
    }

    [Fact]
    public async Task A_graceful_shutdown_releases_the_lease_so_the_other_leads_at_once()
    {
        var a = new Candidate(Elector("a")).Start();
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        var b = new Candidate(Elector("b")).Start();
        await Task.Delay(300); // b has seen a's lease and waits

        var stopped = DateTime.UtcNow;
        await a.Process.CancelAsync();
        await a.Run;

        await Eventually.TrueAsync(() => b.Elector.IsLeader, "b leads");
        Assert.True(b.LeadingSince!.Value - stopped < TimeSpan.FromSeconds(1.5), "b waited for the lease to expire instead of taking the released one");
        await b.Process.CancelAsync();
        await b.Run;
    }

    [Fact]
    public async Task Server_errors_during_renewal_within_the_deadline_keep_leadership()
    {
        // A wider deadline than the others: on a loaded machine a healthy renewal can take a while, and this
        // test is about three failed attempts (about 0.6 s) not costing leadership.
        var a = new Candidate(Elector("a", leaseSeconds: 6, deadlineSeconds: 4)).Start();
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");

        _api.Faults.FailNextRequests(3, 500, t => t.Resource == "leases");
        await Eventually.TrueAsync(() => _api.Faults.PendingFailures == 0, "the failures were served");
        await Task.Delay(600); // a few renewals after the failures

        Assert.True(a.Elector.IsLeader);
        Assert.False(a.LeadingToken.IsCancellationRequested);
        await a.Process.CancelAsync();
        await a.Run;
    }

    [Fact]
    public async Task Renewals_failing_past_the_deadline_cancel_the_work_of_the_leader()
    {
        var a = new Candidate(Elector("a")).Start();
        await Eventually.TrueAsync(() => a.Elector.IsLeader, "a leads");
        var lostAt = DateTime.UtcNow;

        _api.Faults.FailNextRequests(1000, 500, t => t.Resource == "leases");

        await Eventually.TrueAsync(() => a.LeadingToken.IsCancellationRequested, "the leading token is cancelled", TimeSpan.FromSeconds(10));
        Assert.InRange(DateTime.UtcNow - lostAt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5 + 0.2 + 1));
        await a.Run; // returns after the work ended, without throwing
        Assert.False(a.Elector.IsLeader);
        _api.Faults.Reset();
    }
}
