using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Api.Validation;
using static FiBackup.Operator.Tests.Validation.Specs;

namespace FiBackup.Operator.Tests.Validation;

public sealed class RestoreSpecValidationTests
{
    [Fact]
    public void The_design_example_restore_is_valid() =>
        Assert.True(SpecValidation.Validate(Restore).IsValid, SpecValidation.Validate(Restore).Summary);

    [Fact]
    public void A_restore_without_a_backup_name_is_refused() =>
        SingleError(SpecValidation.Validate(Restore with { BackupRef = new LocalReference { Name = "" } }),
            "spec.backupRef.name", "\"\" is not a valid VmBackup name");

    [Theory]
    [InlineData("restored")]
    [InlineData("/var/lib/libvirt/../../etc")]
    [InlineData("/var/lib\\images")]
    public void A_target_directory_must_be_absolute_without_dot_dot(string directory) =>
        SingleError(SpecValidation.Validate(Restore with { Target = Restore.Target with { Directory = directory } }),
            "spec.target.directory", "is not an absolute path on the libvirt host");

    [Fact]
    public void A_target_domain_with_a_slash_is_refused() =>
        SingleError(SpecValidation.Validate(Restore with { Target = Restore.Target with { Domain = "web/1" } }),
            "spec.target.domain", "\"web/1\" is not a valid libvirt domain name");

    [Fact]
    public void In_place_with_a_new_domain_name_is_left_to_the_controller() =>
        Assert.True(SpecValidation.Validate(Restore with { Target = Restore.Target with { InPlace = true } }).IsValid);

    [Theory]
    [InlineData("vdz")]
    [InlineData("hdc")]
    [InlineData("xvda")]
    [InlineData("sdaa")]
    [InlineData("nvme0n1")]
    public void Disk_targets_of_every_bus_are_accepted(string disk) =>
        Assert.True(SpecValidation.Validate(Restore with { Disks = [disk] }).IsValid);

    [Theory]
    [InlineData("disk0")]
    [InlineData("/dev/vda")]
    [InlineData("VDA")]
    [InlineData("")]
    public void A_disk_that_is_no_target_name_is_refused_with_its_index(string disk) =>
        SingleError(SpecValidation.Validate(Restore with { Disks = ["vda", disk] }),
            "spec.disks[1]", $"\"{disk}\" is not a disk target name");

    [Fact]
    public void A_disk_listed_twice_is_refused() =>
        Assert.Equal(["spec.disks[0]", "spec.disks[1]"],
            SpecValidation.Validate(Restore with { Disks = ["vda", "vda"] }).Errors.Select(e => e.Field));
}
