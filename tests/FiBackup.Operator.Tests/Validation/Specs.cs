using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Api.Validation;
using k8s.Models;

namespace FiBackup.Operator.Tests.Validation;

/// <summary>Valid specs to break one field at a time, and the assertion every rule's test makes.</summary>
internal static class Specs
{
    public static VmBackupPolicySpec Policy { get; } = new()
    {
        Source = new BackupSource { Libvirt = new LibvirtSource { Uri = "qemu:///system", NodeName = "hv1" } },
        Domains = new DomainSelector { Names = ["web-1"], Patterns = ["db-*"], Exclude = ["scratch-*"] },
        Schedule = "0 2 * * *",
        TimeZone = "Europe/Rome",
        StartingDeadlineSeconds = 3600,
        Destination = Destination("vm-backups", "hv1"),
        OverlayDirectory = "/var/lib/libvirt/images/fibackup-overlays",
        Retention = new RetentionSpec { KeepLast = 7, KeepDaily = 14, KeepWeekly = 8, KeepMonthly = 12 },
        Concurrency = new ConcurrencySpec { MaxParallel = 2 },
        BandwidthLimit = (IntOrString)"200Mi",
    };

    public static VmBackupSpec ManualBackup { get; } = new() { PolicyRef = new LocalReference { Name = "nightly" }, Domain = "web-1" };

    public static VmRestoreSpec Restore { get; } = new()
    {
        BackupRef = new LocalReference { Name = "nightly-web-1-20261127t020000z" },
        Target = new RestoreTarget { Domain = "web-1-restored", Directory = "/var/lib/libvirt/images/restored" },
        Disks = ["vda", "sdb"],
    };

    public static BackupDestination Destination(string claim, string? subPath = null) =>
        new() { PersistentVolumeClaim = new ClaimDestination { ClaimName = claim, SubPath = subPath } };

    public static VmBackupPolicySpec WithUri(string uri) =>
        Policy with { Source = new BackupSource { Libvirt = new LibvirtSource { Uri = uri } } };

    /// <summary>The spec has exactly one problem, at <paramref name="field"/>, and its message quotes the bad value.</summary>
    public static (string Field, string Message) SingleError(SpecValidationResult result, string field, string value)
    {
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(value, error.Message);
        Assert.Contains("expected", error.Message);
        return error;
    }
}
