using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers.Backups;
using k8s.Models;

namespace FiBackup.Operator.Tests.Controllers;

public sealed class BackupSettingsTests
{
    private static readonly LibvirtSource Source = new() { Uri = "qemu:///system" };
    private static readonly BackupDestination Destination = new() { PersistentVolumeClaim = new ClaimDestination { ClaimName = "vm-backups" } };

    private static VmBackup Backup() => new()
    {
        Metadata = new V1ObjectMeta { Name = "nightly-web-1-20261127t020000z", NamespaceProperty = "ops", Uid = "uid-1" },
        Spec = new VmBackupSpec { Domain = "web-1" },
    };

    private static VmBackupPolicySpec Policy(string? overlayDirectory) => new()
    {
        Source = new BackupSource { Libvirt = Source },
        Domains = new DomainSelector { Names = ["web-1"] },
        Schedule = "0 2 * * *",
        Destination = Destination,
        OverlayDirectory = overlayDirectory,
    };

    [Fact]
    public void The_policys_overlay_directory_reaches_the_engine_request()
    {
        var settings = new BackupSettings("nightly", Source, Destination, Policy("/srv/fibackup-overlays"));
        Assert.Equal("/srv/fibackup-overlays", settings.Request(Backup(), "/repo").OverlayDirectory);
    }

    [Fact]
    public void Without_an_overlay_directory_the_engine_default_applies()
    {
        var settings = new BackupSettings("nightly", Source, Destination, Policy(null));
        Assert.Null(settings.Request(Backup(), "/repo").OverlayDirectory);
    }

    [Theory]
    [InlineData(BackupTechnique.Snapshot, FiBackup.Engine.Backup.BackupTechnique.Snapshot)]
    [InlineData(BackupTechnique.Bitmap, FiBackup.Engine.Backup.BackupTechnique.Bitmap)]
    public void The_policys_technique_reaches_the_engine_request(BackupTechnique technique, FiBackup.Engine.Backup.BackupTechnique expected)
    {
        var settings = new BackupSettings("nightly", Source, Destination, Policy(null) with { Technique = technique });
        Assert.Equal(expected, settings.Request(Backup(), "/repo").Technique);
        Assert.Equal("VmBackupPolicy nightly: spec.technique", settings.Fields["technique"]);
    }

    [Fact]
    public void A_backup_without_a_policy_takes_the_snapshot_technique() =>
        Assert.Equal(FiBackup.Engine.Backup.BackupTechnique.Snapshot,
            new BackupSettings(null, Source, Destination, null).Request(Backup(), "/repo").Technique);
}
