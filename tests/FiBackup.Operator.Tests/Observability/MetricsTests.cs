using FiBackup.Operator.Observability;

namespace FiBackup.Operator.Tests.Observability;

public sealed class MetricsTests
{
    private static readonly (string, string)[] Web1 = [("namespace", "vm-backups"), ("policy", "nightly"), ("domain", "web-1")];

    private static (string, string)[] Web1With(string key, string value) => [.. Web1, (key, value)];

    [Fact]
    public async Task Succeeded_backup_is_counted_with_its_duration_bytes_and_completion_time()
    {
        await using var op = await ObservedOperator.StartAsync();
        var completedAt = new DateTimeOffset(2026, 11, 27, 2, 1, 30, TimeSpan.Zero);

        op.Metrics.BackupFinished("vm-backups", "nightly", "web-1", succeeded: true,
            TimeSpan.FromSeconds(90), bytesCopied: 3L << 30, completedAt);

        var scrape = await op.ScrapeAsync();
        Assert.Equal(1, scrape.Value("fibackup_backups_total", Web1With("result", "succeeded")));
        Assert.Equal(0, scrape.Value("fibackup_backups_total", Web1With("result", "failed")));
        Assert.Equal(1, scrape.Value("fibackup_backup_duration_seconds_count", Web1));
        Assert.Equal(90, scrape.Value("fibackup_backup_duration_seconds_sum", Web1));
        Assert.Equal(0, scrape.Bucket("fibackup_backup_duration_seconds", 60, Web1));
        Assert.Equal(1, scrape.Bucket("fibackup_backup_duration_seconds", 120, Web1));
        Assert.Equal(1, scrape.Bucket("fibackup_backup_duration_seconds", 21600, Web1));
        Assert.Equal(1, scrape.Bucket("fibackup_backup_duration_seconds", double.PositiveInfinity, Web1));
        Assert.Equal(3L << 30, scrape.Value("fibackup_backup_bytes_copied_total", Web1));
        Assert.Equal(completedAt.ToUnixTimeSeconds(), scrape.Value("fibackup_last_success_timestamp_seconds", Web1));
        Assert.Equal(1, scrape.Value("fibackup_last_backup_status", Web1));
    }

    [Fact]
    public async Task Failed_backup_sets_last_status_to_0_and_keeps_the_last_success_time()
    {
        await using var op = await ObservedOperator.StartAsync();
        var success = new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);
        op.Metrics.BackupFinished("vm-backups", "nightly", "web-1", true, TimeSpan.FromMinutes(5), 100, success);

        op.Metrics.BackupFinished("vm-backups", "nightly", "web-1", false, TimeSpan.FromSeconds(3), 40, success.AddDays(1));

        var scrape = await op.ScrapeAsync();
        Assert.Equal(1, scrape.Value("fibackup_backups_total", Web1With("result", "succeeded")));
        Assert.Equal(1, scrape.Value("fibackup_backups_total", Web1With("result", "failed")));
        Assert.Equal(0, scrape.Value("fibackup_last_backup_status", Web1));
        Assert.Equal(success.ToUnixTimeSeconds(), scrape.Value("fibackup_last_success_timestamp_seconds", Web1));
        Assert.Equal(140, scrape.Value("fibackup_backup_bytes_copied_total", Web1));
        Assert.Equal(2, scrape.Value("fibackup_backup_duration_seconds_count", Web1));
    }

    [Fact]
    public async Task Manual_backup_without_a_policy_is_labelled_with_an_empty_policy()
    {
        await using var op = await ObservedOperator.StartAsync();

        op.Metrics.BackupFinished("vm-backups", null, "web-1", true, TimeSpan.FromSeconds(10), 1, DateTimeOffset.UnixEpoch);

        var scrape = await op.ScrapeAsync();
        Assert.Equal(1, scrape.Value("fibackup_backups_total",
            ("namespace", "vm-backups"), ("policy", ""), ("domain", "web-1"), ("result", "succeeded")));
    }

    [Fact]
    public async Task Repository_observation_sets_restore_points_and_chain_length()
    {
        await using var op = await ObservedOperator.StartAsync();

        op.Metrics.RepositoryObserved("vm-backups", "nightly", "web-1", restorePoints: 9, chainLength: 4);
        op.Metrics.RepositoryObserved("vm-backups", "nightly", "web-1", restorePoints: 7, chainLength: 1);

        var scrape = await op.ScrapeAsync();
        Assert.Equal(7, scrape.Value("fibackup_restore_points", Web1));
        Assert.Equal(1, scrape.Value("fibackup_chain_length", Web1));
    }

    [Fact]
    public async Task Operations_in_flight_count_up_while_running_and_down_once_disposed()
    {
        await using var op = await ObservedOperator.StartAsync();
        var first = op.Metrics.OperationStarted(OperationKind.Backup);
        using var second = op.Metrics.OperationStarted(OperationKind.Backup);
        using var restore = op.Metrics.OperationStarted(OperationKind.Restore);

        var running = await op.ScrapeAsync();
        first.Dispose();
        first.Dispose();
        var afterOne = await op.ScrapeAsync();

        Assert.Equal(2, running.Value("fibackup_operations_in_flight", ("kind", "backup")));
        Assert.Equal(1, running.Value("fibackup_operations_in_flight", ("kind", "restore")));
        Assert.Equal(0, running.Value("fibackup_operations_in_flight", ("kind", "prune")));
        Assert.Equal(1, afterOne.Value("fibackup_operations_in_flight", ("kind", "backup")));
    }

    [Fact]
    public async Task Reconciles_are_counted_by_controller_and_result_and_errors_separately()
    {
        await using var op = await ObservedOperator.StartAsync();

        op.Metrics.ReconcileFinished("vmbackuppolicy", null);
        op.Metrics.ReconcileFinished("vmbackuppolicy", null);
        op.Metrics.ReconcileFinished("vmbackuppolicy", new InvalidOperationException("conflict"));
        op.Metrics.ReconcileFinished("vmrestore", null);

        var scrape = await op.ScrapeAsync();
        Assert.Equal(2, scrape.Value("fibackup_reconciles_total", ("controller", "vmbackuppolicy"), ("result", "success")));
        Assert.Equal(1, scrape.Value("fibackup_reconciles_total", ("controller", "vmbackuppolicy"), ("result", "error")));
        Assert.Equal(1, scrape.Value("fibackup_reconcile_errors_total", ("controller", "vmbackuppolicy")));
        Assert.Equal(0, scrape.Value("fibackup_reconcile_errors_total", ("controller", "vmrestore")));
    }

    [Fact]
    public async Task Restores_are_counted_by_namespace_and_result()
    {
        await using var op = await ObservedOperator.StartAsync();

        op.Metrics.RestoreFinished("vm-backups", true);
        op.Metrics.RestoreFinished("vm-backups", false);
        op.Metrics.RestoreFinished("vm-backups", true);
        op.Metrics.RestoreFinished("ops", true);

        var scrape = await op.ScrapeAsync();
        Assert.Equal(2, scrape.Value("fibackup_restores_total", ("namespace", "vm-backups"), ("result", "succeeded")));
        Assert.Equal(1, scrape.Value("fibackup_restores_total", ("namespace", "vm-backups"), ("result", "failed")));
        Assert.Equal(1, scrape.Value("fibackup_restores_total", ("namespace", "ops"), ("result", "succeeded")));
    }

    [Fact]
    public async Task Forgetting_a_domain_removes_its_series_and_keeps_the_other_domains()
    {
        await using var op = await ObservedOperator.StartAsync();
        foreach (var domain in new[] { "web-1", "db-1" })
        {
            op.Metrics.BackupFinished("vm-backups", "nightly", domain, true, TimeSpan.FromSeconds(30), 10, DateTimeOffset.UnixEpoch);
            op.Metrics.RepositoryObserved("vm-backups", "nightly", domain, 3, 2);
        }

        op.Metrics.ForgetDomain("vm-backups", "nightly", "web-1");

        var scrape = await op.ScrapeAsync();
        Assert.DoesNotContain(scrape.Samples, s => s.Labels.GetValueOrDefault("domain") == "web-1");
        var db1 = scrape.Samples.Where(s => s.Labels.GetValueOrDefault("domain") == "db-1").Select(s => s.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "fibackup_backups_total", "fibackup_backup_duration_seconds_count", "fibackup_backup_bytes_copied_total",
            "fibackup_last_success_timestamp_seconds", "fibackup_last_backup_status",
            "fibackup_chain_length", "fibackup_restore_points",
        }, db1);
    }

    [Fact]
    public async Task Two_operators_side_by_side_do_not_share_metrics()
    {
        await using var first = await ObservedOperator.StartAsync();
        await using var second = await ObservedOperator.StartAsync();

        first.Metrics.BackupFinished("vm-backups", "nightly", "web-1", true, TimeSpan.FromSeconds(1), 1, DateTimeOffset.UnixEpoch);
        first.Metrics.RestoreFinished("vm-backups", true);

        Assert.NotEqual(first.Port, second.Port);
        var scrape = await second.ScrapeAsync();
        Assert.Empty(scrape.Find("fibackup_backups_total"));
        Assert.Empty(scrape.Find("fibackup_restores_total"));
        Assert.Equal(1, (await first.ScrapeAsync()).Value("fibackup_backups_total", Web1With("result", "succeeded")));
    }

    [Fact]
    public async Task Every_metric_has_help_text()
    {
        await using var op = await ObservedOperator.StartAsync();
        op.Metrics.BackupFinished("vm-backups", "nightly", "web-1", true, TimeSpan.FromSeconds(1), 1, DateTimeOffset.UnixEpoch);
        op.Metrics.RepositoryObserved("vm-backups", "nightly", "web-1", 1, 1);
        op.Metrics.ReconcileFinished("vmbackup", null);
        op.Metrics.RestoreFinished("vm-backups", true);

        var scrape = await op.ScrapeAsync();
        string[] names =
        [
            "fibackup_backups_total", "fibackup_backup_duration_seconds", "fibackup_backup_bytes_copied_total",
            "fibackup_last_success_timestamp_seconds", "fibackup_last_backup_status", "fibackup_chain_length",
            "fibackup_restore_points", "fibackup_operations_in_flight", "fibackup_reconcile_errors_total",
            "fibackup_reconciles_total", "fibackup_restores_total",
        ];
        Assert.All(names, name => Assert.False(string.IsNullOrWhiteSpace(scrape.Help(name)), name));
    }
}
