using FiBackup.Engine;
using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Backups;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class BackupStatusWriterTests
{
    private const long MiB = 1 << 20;
    private static readonly DateTimeOffset Started = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Progress_shows_percent_rate_and_time_left()
    {
        var status = new VmBackupStatus();

        // 100 MiB of 400 MiB in 10 s: 10 MiB/s, 300 MiB left, 30 s.
        BackupStatusWriter.Progress(status, new BackupProgress(BackupStep.Copying, 100 * MiB, 400 * MiB), Started, Started.AddSeconds(10));

        Assert.Equal(BackupStepName.Copying, status.Step);
        Assert.Equal(100 * MiB, status.Progress!.BytesDone);
        Assert.Equal(400 * MiB, status.Progress.BytesTotal);
        Assert.Equal(25, status.Progress.Percent);
        Assert.Equal("25%", status.Progress.PercentText);
        Assert.Equal(10 * MiB, status.Progress.BytesPerSecond);
        Assert.Equal("30s", status.Progress.Eta);
    }

    [Fact]
    public void A_long_time_left_is_written_in_minutes_or_hours()
    {
        var status = new VmBackupStatus();

        // 1 MiB/s with 200 MiB left: 3m20s.
        BackupStatusWriter.Progress(status, new BackupProgress(BackupStep.Copying, 10 * MiB, 210 * MiB), Started, Started.AddSeconds(10));
        Assert.Equal("3m20s", status.Progress!.Eta);

        Assert.Equal("2h5m", BackupStatusWriter.Duration(TimeSpan.FromMinutes(125)));
    }

    [Fact]
    public void Copying_more_than_the_planned_bytes_shows_100_percent_and_no_time_left_rather_than_a_negative_one()
    {
        var status = new VmBackupStatus();

        // The plan's byte counts are estimates: a guest writing during the copy can push the done bytes past them.
        BackupStatusWriter.Progress(status, new BackupProgress(BackupStep.Copying, 200 * MiB, 100 * MiB), Started, Started.AddSeconds(10));

        Assert.Equal(100, status.Progress!.Percent);
        Assert.Equal("100%", status.Progress.PercentText);
        Assert.Equal("0s", status.Progress.Eta);
    }

    [Fact]
    public void Progress_at_the_very_start_has_no_rate_nor_time_left()
    {
        var status = new VmBackupStatus();

        BackupStatusWriter.Progress(status, new BackupProgress(BackupStep.Copying, 0, 400 * MiB), Started, Started.AddMilliseconds(100));

        Assert.Equal(0, status.Progress!.Percent);
        Assert.Equal("0%", status.Progress.PercentText);
        Assert.Null(status.Progress.BytesPerSecond);
        Assert.Null(status.Progress.Eta);
    }

    [Fact]
    public void Progress_before_the_copy_sets_the_step_and_plan_but_no_byte_counts()
    {
        var status = new VmBackupStatus();
        var plan = new BackupPlan("20261127T020000Z", BackupType.Incremental, "20261120T020000Z", []);

        BackupStatusWriter.Progress(status, new BackupProgress(BackupStep.Snapshotting, 0, 0) { Plan = plan }, Started, Started.AddSeconds(1));

        Assert.Equal(BackupStepName.Snapshotting, status.Step);
        Assert.Equal("20261127T020000Z", status.RestorePoint);
        Assert.Equal("20261120T020000Z", status.Chain);
        Assert.Equal(BackupTypeName.Incremental, status.Type);
        Assert.Null(status.Progress);
    }

    [Fact]
    public void A_result_fills_point_size_text_disks_and_completes_the_progress()
    {
        var status = new VmBackupStatus { Step = BackupStepName.Consolidating };
        BackupStatusWriter.Progress(status, new BackupProgress(BackupStep.Copying, 100 * MiB, 400 * MiB), Started, Started.AddSeconds(10));
        var result = new BackupResult("20261127T020000Z", BackupType.Full, "20261127T020000Z",
            [
                new BackupDiskResult("vda", "/images/web-1.qcow2", ["chains/20261127T020000Z/vda/000-full.qcow2"], 1024 * MiB, 1030 * MiB),
                new BackupDiskResult("vdb", "/images/web-1-data.qcow2", ["chains/20261127T020000Z/vdb/000-full.qcow2"], 512 * MiB, 520 * MiB),
            ],
            ["quiesce failed: no guest agent; the point is crash-consistent"], Quiesced: false);

        BackupStatusWriter.Result(status, result);

        Assert.Equal("20261127T020000Z", status.RestorePoint);
        Assert.Equal(BackupTypeName.Full, status.Type);
        Assert.Equal(1536 * MiB, status.Bytes);
        Assert.Equal(ByteSize.Format(1536 * MiB), status.Size);
        Assert.Equal("1.5 GiB", status.Size);
        Assert.False(status.Quiesced);
        Assert.Single(status.Warnings);
        Assert.Equal(["vda", "vdb"], status.Disks.Select(d => d.Target));
        Assert.Equal("/images/web-1-data.qcow2", status.Disks[1].Source);
        Assert.Equal(["chains/20261127T020000Z/vda/000-full.qcow2"], status.Disks[0].Files);
        Assert.Equal(1024 * MiB, status.Disks[0].Bytes);
        Assert.Equal(100, status.Progress!.Percent);
        Assert.Equal("100%", status.Progress.PercentText);
        Assert.Equal(400 * MiB, status.Progress.BytesDone);
        Assert.Equal(400 * MiB, status.Progress.BytesTotal);
        Assert.Null(status.Step);
    }

    [Fact]
    public void A_finished_backup_and_the_same_point_synced_from_its_manifest_show_the_same_bytes()
    {
        // A sparse file: the data bytes the manifest records are fewer than the file's length.
        var template = FakeBackupEngine.Manifest("hv1", "web-1", "20261128T020000Z", chain: "20261127T020000Z");
        var disk = template.Disks[0];
        var manifest = template with { Disks = [disk with { Bytes = 3 * MiB, FileLength = 5 * MiB, Files = [disk.Files[0] with { Size = 5 * MiB }] }] };
        var finished = new VmBackupStatus();
        var synced = new VmBackupStatus();

        BackupStatusWriter.Result(finished, BackupResult.FromManifest(manifest, BackupOutcome.Created));
        BackupStatusWriter.Manifest(synced, manifest);

        Assert.Equal(3 * MiB, finished.Bytes);
        Assert.Equal(synced.Bytes, finished.Bytes);
        Assert.Equal(synced.Size, finished.Size);
        Assert.Equal(synced.Disks.Select(d => d.Bytes), finished.Disks.Select(d => d.Bytes));
    }

    [Fact]
    public void A_synced_point_gets_everything_from_its_manifest()
    {
        var status = new VmBackupStatus();
        var manifest = FakeBackupEngine.Manifest("hv1", "web-1", "20261128T020000Z", chain: "20261127T020000Z");

        BackupStatusWriter.Manifest(status, manifest);

        Assert.Equal("20261128T020000Z", status.RestorePoint);
        Assert.Equal("20261127T020000Z", status.Chain);
        Assert.Equal(BackupTypeName.Incremental, status.Type);
        Assert.Equal(3 * MiB, status.Bytes);
        Assert.Equal("3 MiB", status.Size);
        Assert.Equal(new DateTime(2026, 11, 28, 2, 0, 0, DateTimeKind.Utc), status.StartTime);
        Assert.Equal(status.StartTime, status.CompletionTime);
        Assert.Equal("vda", Assert.Single(status.Disks).Target);
        Assert.Equal(["chains/20261127T020000Z/vda/000-full.qcow2"], status.Disks[0].Files);
        Assert.Equal(100, status.Progress!.Percent);
        Assert.Equal(3 * MiB, status.Progress.BytesTotal);
    }
}
